"""Demo KVI data built from DOMAIN.md (run by `manage.py seed_demo`, after tenancy.demo).

Cheshire and Merseyside gets Wirral Community Health and Care's five-theme Social Value
Framework (themes -> sub-themes -> metrics as in its board paper), published, with a few
crosswalks; Wirral (ODS RY7) adds three metrics of its own and sets its eight SVQM Level 1 KVIs
with the targets and baselines of its mid-year report (19 October 2022). Three KVIs get monthly
series from April 2020 to September 2022 (30 validated figures each) that end on the reported
figures: local supply-chain spend 13.09% for April-September 2022, WTE with declared disability
4.09% at March 2022 and 4.76% at September 2022, crisis responses averaging 58 a month in
January-March 2022 and 145 a month in June-August 2022. The annual KVIs get their 2021/22
figure. Monthly values before those reported points are illustrative. Then (kvi.demo_spend) a
synthetic postcode directory is loaded if none is, and Wirral's April-September 2022 spend
ledger imported: 13.09% local, 11.88% in Wirral.

Everything goes through the services (so the audit trail is the one real use leaves): the tenant
admin builds the framework, Wirral's organisation admin adds its metrics and KVIs and validates
figures that its organisation member enters. Idempotent: each step is skipped when its result
exists.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from kvi import services
from kvi.demo_spend import build_spend_demo
from kvi.models import (
    Framework,
    FrameworkStatus,
    Kvi,
    LocalArea,
    Measurement,
    Metric,
    SubTheme,
)
from kvi.services import KviInput
from organisations.models import Organisation
from tenancy.context import tenant_context
from tenancy.models import Tenant
from tenancy.permissions import tenant_access_for

D = Decimal
CM_SLUG = "cheshire-and-merseyside"
WIRRAL_ODS = "RY7"
FRAMEWORK_NAME = "Social Value Framework"
TENANT_ADMIN = "tenant.admin@demo.example"
ORG_ADMIN = "org.admin@demo.example"
ORG_MEMBER = "org.member@demo.example"

# theme -> [(sub-theme, description, [(code, name, unit, direction, aggregation)])]
FRAMEWORK = [
    (
        "Purchasing and investing locally and for social benefit",
        [
            (
                "Procurement",
                "PPN 06/20: at least 10% social value weighting in every procurement.",
                [
                    ("PUR-01", "Expenditure in local supply chain", "%", "increase", "ratio"),
                    (
                        "PUR-02",
                        "Use of contracts to improve standards and create opportunities",
                        "%",
                        "increase",
                        "ratio",
                    ),
                ],
            ),
            (
                "Investment",
                "",
                [("PUR-03", "Investment in local infrastructure", "£", "increase", "sum")],
            ),
        ],
    ),
    (
        "Representative workforce and widening access to quality work",
        [
            (
                "Local employment and representative workforce",
                "",
                [
                    ("WRK-01", "Numbers of local people employed", "people", "increase", "latest"),
                    ("WRK-02", "Workforce representative of community", "%", "increase", "latest"),
                    (
                        "WRK-03",
                        "Outreach and inclusivity in recruitment",
                        "count",
                        "increase",
                        "sum",
                    ),
                ],
            ),
            (
                "Widening participation",
                "",
                [
                    (
                        "WRK-04",
                        "NHS familiarisation and career sessions",
                        "sessions",
                        "increase",
                        "sum",
                    ),
                    ("WRK-05", "Work placements", "people", "increase", "sum"),
                    ("WRK-06", "Pre-employment programmes", "people", "increase", "sum"),
                ],
            ),
            (
                "Improving skills",
                "",
                [
                    ("WRK-07", "Volunteer placements", "people", "increase", "sum"),
                    ("WRK-08", "Apprenticeships", "people", "increase", "sum"),
                ],
            ),
        ],
    ),
    (
        "Increasing wellbeing and health equity",
        [
            (
                "Workplace",
                "",
                [
                    (
                        "WEL-01",
                        "Workplace wellbeing initiatives and support",
                        "count",
                        "increase",
                        "sum",
                    )
                ],
            ),
            (
                "Wider community",
                "",
                [
                    (
                        "WEL-02",
                        "Supporting people's wider wellbeing and reducing health inequalities",
                        "people",
                        "increase",
                        "sum",
                    )
                ],
            ),
        ],
    ),
    (
        "Reducing environmental impact",
        [
            (
                "Reducing impact",
                "",
                [
                    ("ENV-01", "Reduce carbon emissions", "tCO2e", "decrease", "sum"),
                    ("ENV-02", "Reduce waste production", "tCO2e", "decrease", "sum"),
                    ("ENV-03", "Reduce water use", "litres", "decrease", "sum"),
                ],
            ),
            (
                "Increase awareness",
                "",
                [
                    (
                        "ENV-04",
                        "Increase awareness of environmental pressures",
                        "sessions",
                        "increase",
                        "sum",
                    )
                ],
            ),
        ],
    ),
    (
        "Engaging with and supporting communities",
        [
            (
                "Engagement",
                "",
                [("COM-01", "Community engagement activity", "count", "increase", "sum")],
            ),
            (
                "Gifts in kind",
                "",
                [("COM-02", "Provision of resources to VCF groups", "£", "increase", "sum")],
            ),
        ],
    ),
]

DEFINITIONS = {
    "PUR-01": "Spend with suppliers whose postcode is in the local area, as a share of all "
    "supply-chain spend in the period (numerator: local spend £; denominator: all spend £).",
    "PUR-02": "Contracts developed in the period that carry a social value weighting, as a share "
    "of all contracts developed in the period.",
    "WRK-02": "Share of whole-time-equivalent staff with a declared characteristic (such as a "
    "disability), at the end of the period, compared with the local population.",
    "WRK-04": "Sessions with schools, colleges and youth groups on NHS careers.",
    "WRK-08": "Employees achieving an apprenticeship at level 2, 3 or 4+.",
    "ENV-02": "Emissions from waste sent for disposal, in tonnes of CO2 equivalent.",
}

# (scheme, item code, item label) per metric code
CROSSWALKS = {
    "PUR-01": [
        ("ppn_0620", "theme-2", "Tackling economic inequality"),
        ("svqm_theme", "economic", "Economic"),
        ("anchor_pillar", "purchasing", "Purchasing locally and for social benefit"),
    ],
    "PUR-02": [("ppn_0620", "theme-2", "Tackling economic inequality")],
    "WRK-02": [
        ("ppn_0620", "theme-4", "Equal opportunity"),
        ("anchor_pillar", "work", "Widening access to quality work"),
        ("marmot", "7", "Tackle discrimination, racism and their outcomes"),
    ],
    "WRK-08": [
        ("svqm_theme", "education-and-skills", "Education and skills"),
        (
            "marmot",
            "2",
            "Enable all children, young people and adults to maximise their "
            "capabilities and have control over their lives",
        ),
    ],
    "ENV-01": [
        ("ppn_0620", "theme-3", "Fighting climate change"),
        ("anchor_pillar", "environment", "Reducing environmental impact"),
        ("marmot", "8", "Pursue environmental sustainability and health equity together"),
    ],
}

# Wirral's own metrics: (sub-theme, code, name, definition, unit, direction, aggregation)
OWN_METRICS = [
    (
        "Local employment and representative workforce",
        "RY7-MENTOR",
        "Reciprocal mentoring sessions",
        "Sessions of reciprocal mentoring between senior managers or board members and BAME staff.",
        "sessions",
        "increase",
        "sum",
    ),
    (
        "Workplace",
        "RY7-FLU",
        "Staff vaccinated against flu",
        "Reportable staff vaccinated against flu, as a share of all reportable staff.",
        "%",
        "increase",
        "latest",
    ),
    (
        "Wider community",
        "RY7-CRISIS",
        "Home-based crisis responses within 2 hours",
        "People a month receiving a home-based crisis response within 2 hours.",
        "people",
        "increase",
        "average",
    ),
]

FY2122, FY2223 = date(2021, 4, 1), date(2022, 4, 1)

# code, metric, title, frequency, baseline (value, period), target (value, financial year), owner
KVIS = [
    (
        "ECO-1",
        "PUR-01",
        "18% of supply-chain expenditure in 2022/23 with firms with postcodes in Cheshire East, "
        "Knowsley, St Helens and Wirral",
        "monthly",
        None,
        (D("18"), "2022/23"),
        "Head of Procurement",
    ),
    (
        "ECO-2",
        "PUR-02",
        "50% of contracts developed in year with a social value weighting",
        "quarterly",
        None,
        (D("50"), "2022/23"),
        "Head of Procurement",
    ),
    (
        "EMP-1",
        "WRK-02",
        "5% of WTE staff with declared disabilities, at year end",
        "monthly",
        (D("4.09"), date(2021, 4, 1)),
        (D("5"), "2022/23"),
        "Head of Workforce Equality",
    ),
    (
        "EMP-2",
        "WRK-04",
        "24 sessions a year with schools, colleges and youth groups on NHS careers",
        "annual",
        (D("34"), date(2021, 4, 1)),
        (D("24"), "2022/23"),
        "Widening Participation Lead",
    ),
    (
        "EDU-1",
        "WRK-08",
        "85 employees achieving apprenticeships at levels 2, 3 or 4+ in 2021/22",
        "annual",
        None,
        (D("85"), "2021/22"),
        "Apprenticeship Lead",
    ),
    (
        "EDU-2",
        "RY7-MENTOR",
        "50 sessions of reciprocal mentoring between senior managers/board and BAME staff in "
        "2021/22",
        "annual",
        None,
        (D("50"), "2021/22"),
        "Equality, Diversity and Inclusion Lead",
    ),
    (
        "HWB-1",
        "RY7-FLU",
        "90% of reportable staff vaccinated against flu",
        "annual",
        (D("72"), date(2021, 4, 1)),
        (D("90"), "2022/23"),
        "Occupational Health Lead",
    ),
    (
        "HWB-2",
        "RY7-CRISIS",
        "50 people a month receiving a home-based crisis response within 2 hours by the end of "
        "2021/22",
        "monthly",
        (D("58"), date(2022, 1, 1)),
        (D("50"), "2021/22"),
        "Urgent Community Response Lead",
    ),
]


def _months(start: date, count: int) -> list[date]:
    index = start.year * 12 + start.month - 1
    return [date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(count)]


MONTHS = _months(date(2020, 4, 1), 30)  # April 2020 - September 2022

# Local spend: (local £, all £) a month. April-September 2022 add up to 785,400 of 6,000,000
# (13.09%); before that about 9-11%.
_EARLIER_SPEND_PERCENT = [
    "9.8", "10.4", "9.1", "10.9", "9.6", "10.2", "8.9", "10.6", "9.9", "10.1", "9.4", "11.0",
    "10.3", "9.7", "10.8", "9.5", "10.0", "10.7", "9.2", "10.5", "9.8", "10.9", "10.1", "10.4",
]  # fmt: skip
SPEND = [(D(p) * 10_000, D("1000000")) for p in _EARLIER_SPEND_PERCENT] + [
    (D("90000"), D("1000000")),
    (D("150000"), D("1200000")),
    (D("100000"), D("800000")),
    (D("140000"), D("1000000")),
    (D("120000"), D("1000000")),
    (D("185400"), D("1000000")),
]

# % of WTE with declared disabilities, end of month: 4.09 at March 2022, 4.76 at September 2022.
DISABILITY = [
    D(v)
    for v in [
        "3.62", "3.58", "3.66", "3.61", "3.69", "3.64", "3.71", "3.68", "3.74", "3.70", "3.77",
        "3.73", "3.80", "3.84", "3.79", "3.88", "3.85", "3.93", "3.90", "3.97", "3.95", "4.02",
        "4.00", "4.09", "4.21", "4.33", "4.45", "4.58", "4.66", "4.76",
    ]
]  # fmt: skip

# Crisis responses a month: about 50 before 2022; January-March 2022 average 58; then rising,
# June-August 2022 average 145.
CRISIS = [
    D(v)
    for v in [
        "44", "49", "41", "52", "47", "45", "53", "48", "43", "50", "46", "51",
        "49", "54", "47", "52", "50", "55", "48", "53", "51",
        "55", "58", "61",
        "96", "128", "140", "145", "150", "147",
    ]
]  # fmt: skip

# Annual and quarterly figures: KVI code -> [(period, value or (numerator, denominator), note)]
OTHER_FIGURES: dict[str, list[tuple[date, Any, str]]] = {
    "ECO-2": [
        (date(2022, 4, 1), (D("1"), D("1")), "1 of 1 contracts developed in the quarter."),
        (date(2022, 7, 1), (D("1"), D("1")), "1 of 1 contracts developed in the quarter."),
    ],
    "EMP-2": [
        (
            FY2122,
            D("34"),
            "177 NHS cadets; 162 sessions offered; 34 supported by WCHC staff.",
        )
    ],
    "EDU-1": [(FY2122, D("14"), "21 on programmes; 14 completed.")],
    "EDU-2": [(FY2122, D("54"), "Estimated: 9 pairs x 6 sessions.")],
    "HWB-1": [(FY2122, D("72"), "2021/22 flu season.")],
}


# The programme's local area for local spend: Wirral and its neighbours (ONS district codes).
LOCAL_AREA = (
    "Wirral, Cheshire East, Knowsley and St Helens",
    ["E08000015", "E06000049", "E08000011", "E08000013"],
)

# How the demo KVIs' SPC charts are calculated: limits fixed on the months before the change
# each series shows, so the change stands out (the way Making Data Count asks for a baseline).
SPC_BASELINES = {"ECO-1": 24, "EMP-1": 12, "HWB-2": 21}


def build_demo() -> None:
    tenant = Tenant.objects.filter(slug=CM_SLUG).first()
    wirral = Organisation.objects.filter(ods_code=WIRRAL_ODS).first()
    users = {u.email: u for u in get_user_model().objects.filter(
        email__in=[TENANT_ADMIN, ORG_ADMIN, ORG_MEMBER]
    )}  # fmt: skip
    if tenant is None or wirral is None or len(users) < 3:
        return
    with tenant_context(tenant.id), transaction.atomic():
        people = {
            email: (user, tenant_access_for(user=user, tenant=tenant))
            for email, user in users.items()
        }
        if not LocalArea.objects.filter(tenant=tenant).exists():
            admin, admin_access = people[TENANT_ADMIN]
            services.local_area_save(
                tenant=tenant,
                actor=admin,
                access=admin_access,
                name=LOCAL_AREA[0],
                district_codes=LOCAL_AREA[1],
            )
        framework = _framework(tenant, people[TENANT_ADMIN])
        if framework is None:
            return
        metrics = _own_metrics(tenant, framework, wirral, people[ORG_ADMIN])
        kvis = _kvis(tenant, wirral, metrics, people[ORG_ADMIN])
        series: dict[str, list[tuple[date, Any]]] = {
            "ECO-1": list(zip(MONTHS, SPEND, strict=True)),
            "EMP-1": list(zip(MONTHS, DISABILITY, strict=True)),
            "HWB-2": list(zip(MONTHS, CRISIS, strict=True)),
        }
        for code, figures in series.items():
            for period, figure in figures:
                _figure(tenant, kvis[code], period, figure, "", people)
        for code, noted in OTHER_FIGURES.items():
            for period, figure, note in noted:
                _figure(tenant, kvis[code], period, figure, note, people)
        user, access = people[ORG_ADMIN]
        for code, baseline_points in SPC_BASELINES.items():
            if kvis[code].spc_baseline_points != baseline_points:
                services.kvi_spc_settings_save(
                    tenant=tenant,
                    actor=user,
                    access=access,
                    kvi=kvis[code],
                    baseline_points=baseline_points,
                    rebase_at=[],
                    screen_outliers=False,
                )
        build_spend_demo(
            tenant=tenant,
            organisation=wirral,
            org_admin=people[ORG_ADMIN],
            local_area_name=LOCAL_AREA[0],
        )


def _framework(tenant, admin) -> Framework | None:
    user, access = admin
    existing = Framework.objects.filter(tenant=tenant, name=FRAMEWORK_NAME).order_by("-version")
    if existing.exists():
        return existing.filter(status=FrameworkStatus.PUBLISHED).first()
    framework = services.framework_create(
        tenant=tenant,
        actor=user,
        access=access,
        name=FRAMEWORK_NAME,
        description="Wirral Community Health and Care's five themes, adopted as the programme's "
        "framework.",
    )
    position = 0
    for theme_position, (theme_name, subthemes) in enumerate(FRAMEWORK):
        theme = services.theme_save(
            tenant=tenant,
            actor=user,
            access=access,
            framework=framework,
            name=theme_name,
            position=theme_position,
        )
        for sub_position, (sub_name, description, metrics) in enumerate(subthemes):
            subtheme = services.subtheme_save(
                tenant=tenant,
                actor=user,
                access=access,
                theme=theme,
                name=sub_name,
                description=description,
                position=sub_position,
            )
            for code, name, unit, direction, aggregation in metrics:
                position += 1
                metric = services.metric_save(
                    tenant=tenant,
                    actor=user,
                    access=access,
                    subtheme=subtheme,
                    code=code,
                    name=name,
                    definition=DEFINITIONS.get(code, name + "."),
                    unit=unit,
                    direction=direction,
                    aggregation=aggregation,
                    position=position,
                )
                for scheme, item_code, item_label in CROSSWALKS.get(code, []):
                    services.crosswalk_add(
                        tenant=tenant,
                        actor=user,
                        access=access,
                        metric=metric,
                        scheme=scheme,
                        item_code=item_code,
                        item_label=item_label,
                    )
    return services.framework_publish(tenant=tenant, actor=user, access=access, framework=framework)


def _own_metrics(tenant, framework, wirral, org_admin) -> dict[str, Metric]:
    user, access = org_admin
    metrics = {m.code: m for m in Metric.objects.filter(tenant=tenant, framework=framework)}
    for sub_name, code, name, definition, unit, direction, aggregation in OWN_METRICS:
        if code in metrics:
            continue
        metrics[code] = services.metric_save(
            tenant=tenant,
            actor=user,
            access=access,
            subtheme=SubTheme.objects.get(tenant=tenant, theme__framework=framework, name=sub_name),
            organisation=wirral,
            code=code,
            name=name,
            definition=definition,
            unit=unit,
            direction=direction,
            aggregation=aggregation,
        )
    return metrics


def _kvis(tenant, wirral, metrics, org_admin) -> dict[str, Kvi]:
    user, access = org_admin
    kvis = {k.code: k for k in Kvi.objects.filter(tenant=tenant, organisation=wirral)}
    for code, metric_code, title, frequency, baseline, target, owner in KVIS:
        if code in kvis:
            continue
        kvis[code] = services.kvi_create(
            tenant=tenant,
            actor=user,
            access=access,
            organisation=wirral,
            data=KviInput(
                code=code,
                title=title,
                metric=metrics[metric_code],
                frequency=frequency,
                baseline_value=baseline[0] if baseline else None,
                baseline_period=baseline[1] if baseline else None,
                target_value=target[0],
                target_financial_year=target[1],
                owner_name=owner,
            ),
        )
    return kvis


def _figure(tenant, kvi, period, figure, note, people) -> None:
    if Measurement.objects.filter(tenant=tenant, kvi=kvi, period=period).exists():
        return
    member, member_access = people[ORG_MEMBER]
    admin, admin_access = people[ORG_ADMIN]
    if isinstance(figure, tuple):
        figures = {"numerator": figure[0], "denominator": figure[1]}
    else:
        figures = {"value": figure}
    measurement = services.measurement_record(
        tenant=tenant,
        actor=member,
        access=member_access,
        kvi=kvi,
        period=period,
        note=note,
        source="Social value mid-year report, 19 October 2022 (demo series)",
        **figures,
    )
    measurement = services.measurement_submit(
        tenant=tenant, actor=member, access=member_access, measurement=measurement
    )
    services.measurement_validate(
        tenant=tenant, actor=admin, access=admin_access, measurement=measurement
    )
