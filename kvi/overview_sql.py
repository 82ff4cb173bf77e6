"""The statements of the tenant overview (kvi.overview): sums of the year figures rollup
(KviYearFigure) by theme and measure and by organisation, with the programme's counts."""

# The counts of organisations, whether a proxy set is active, and the year's rows added up per
# theme and measure (metric code and unit), on every row (one row with no lines when the year
# has none). One pass over the year's rows groups them by organisation and by metric; the
# metrics' groups are then added up by theme and measure. The themes' tallies and the totals are
# sums of the lines.
YEAR_SQL = """
WITH grouped AS (
    SELECT GROUPING(organisation_id) = 1 AS by_metric, organisation_id, metric_id,
           count(*) AS kvis,
           count(*) FILTER (WHERE status = %(on_track)s) AS on_track,
           count(*) FILTER (WHERE status = %(at_risk)s) AS at_risk,
           count(*) FILTER (WHERE status = %(off_track)s) AS off_track,
           sum(awaiting) AS awaiting, sum(gross) AS gross, sum(net) AS net,
           count(gross) AS priced, count(figure) AS with_figures, sum(figure) AS quantity,
           bool_or(has_proxy) AS has_proxy, max(worked_out_at) AS worked_out_at,
           bool_or(counted > 0) AS reporting
    FROM kvi_kviyearfigure
    WHERE tenant_id = %(tenant)s AND financial_year = %(financial_year)s
    GROUP BY GROUPING SETS ((organisation_id), (metric_id))
), organisations AS (
    SELECT organisation_id, reporting FROM grouped WHERE NOT by_metric
), taking_part AS (
    SELECT DISTINCT organisation_id FROM organisations_participation
    WHERE tenant_id = %(tenant)s AND status = %(active)s
), summary AS (
    SELECT (SELECT count(*) FROM taking_part) AS taking_part,
           (SELECT count(*) FROM organisations) AS with_kvis,
           (SELECT count(*) FROM organisations WHERE reporting) AS reporting,
           (SELECT count(*) FROM organisations o
            FULL JOIN taking_part t ON t.organisation_id = o.organisation_id) AS listed,
           EXISTS (SELECT 1 FROM kvi_proxyvalue v
                   JOIN kvi_proxyset s ON s.id = v.proxy_set_id AND s.tenant_id = v.tenant_id
                   WHERE s.tenant_id = %(tenant)s AND s.is_active) AS proxy_set_active
), lines AS (
    SELECT fw.name AS framework_name, th.name AS theme_name, min(th.position) AS position,
           mt.code, mt.unit, min(mt.name) AS name,
           sum(g.kvis)::bigint AS kvis, sum(g.on_track)::bigint AS on_track,
           sum(g.at_risk)::bigint AS at_risk, sum(g.off_track)::bigint AS off_track,
           sum(g.awaiting)::bigint AS awaiting, sum(g.gross) AS gross, sum(g.net) AS net,
           sum(g.priced)::bigint AS priced, sum(g.with_figures)::bigint AS with_figures,
           sum(g.quantity) AS quantity, bool_or(g.has_proxy) AS has_proxy,
           max(g.worked_out_at) AS worked_out_at
    FROM grouped g
    JOIN kvi_metric mt ON mt.id = g.metric_id AND mt.tenant_id = %(tenant)s
    JOIN kvi_subtheme st ON st.id = mt.subtheme_id AND st.tenant_id = %(tenant)s
    JOIN kvi_frameworktheme th ON th.id = st.theme_id AND th.tenant_id = %(tenant)s
    JOIN kvi_framework fw ON fw.id = mt.framework_id AND fw.tenant_id = %(tenant)s
    WHERE g.by_metric
    GROUP BY fw.name, th.name, mt.code, mt.unit
)
SELECT s.taking_part, s.with_kvis, s.reporting, s.listed, s.proxy_set_active,
       l.framework_name, l.theme_name, l.position, l.code, l.unit, l.name, l.kvis, l.on_track,
       l.at_risk, l.off_track, l.awaiting, l.gross, l.net, l.priced, l.with_figures,
       l.quantity, l.has_proxy, l.worked_out_at
FROM summary s LEFT JOIN lines l ON true
"""


# The organisations taking part and those with KVIs this year, with their year's tallies.
ORGANISATIONS_SQL = """
WITH figures AS (
    SELECT organisation_id, count(*) AS kvis,
           count(*) FILTER (WHERE status = %(on_track)s) AS on_track,
           count(*) FILTER (WHERE status = %(at_risk)s) AS at_risk,
           count(*) FILTER (WHERE status = %(off_track)s) AS off_track,
           sum(awaiting) AS awaiting, sum(gross) AS gross, sum(net) AS net,
           count(gross) AS priced, bool_or(counted > 0) AS reporting
    FROM kvi_kviyearfigure
    WHERE tenant_id = %(tenant)s AND financial_year = %(financial_year)s
    GROUP BY organisation_id
), taking_part AS (
    SELECT DISTINCT organisation_id FROM organisations_participation
    WHERE tenant_id = %(tenant)s AND status = %(active)s
), listed AS (
    SELECT o.id, o.name, t.organisation_id IS NOT NULL AS taking_part,
           coalesce(f.kvis, 0) AS kvis, coalesce(f.on_track, 0) AS on_track,
           coalesce(f.at_risk, 0) AS at_risk, coalesce(f.off_track, 0) AS off_track,
           coalesce(f.awaiting, 0) AS awaiting, coalesce(f.gross, 0) AS gross,
           coalesce(f.net, 0) AS net, coalesce(f.priced, 0) AS priced,
           coalesce(f.reporting, false) AS reporting
    FROM figures f
    FULL JOIN taking_part t ON t.organisation_id = f.organisation_id
    JOIN organisations_organisation o ON o.id = coalesce(f.organisation_id, t.organisation_id)
    WHERE strpos(lower(o.name), %(needle)s) > 0
)
SELECT id::text, name, taking_part, kvis, on_track, at_risk, off_track, awaiting, gross, net,
       priced, reporting
FROM listed
ORDER BY {order}
LIMIT %(limit)s OFFSET %(offset)s
"""

# How many organisations the table lists for a search.
ORGANISATION_COUNT_SQL = """
SELECT count(*)
FROM (
    SELECT organisation_id FROM organisations_participation
    WHERE tenant_id = %(tenant)s AND status = %(active)s
    UNION
    SELECT organisation_id FROM kvi_kviyearfigure
    WHERE tenant_id = %(tenant)s AND financial_year = %(financial_year)s
) AS listed
JOIN organisations_organisation o ON o.id = listed.organisation_id
WHERE strpos(lower(o.name), %(needle)s) > 0
"""
