"""Anchor charter data for tests, built through the services (so audited, as in real use):
an anchor charter published with its pillars, priorities and default evidence framework,
members signed and approved, rounds opened, returns sent and accepted.

Call these inside `tenant_context(cast.tenant.id)`."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from anchors import services
from anchors.models import (
    MemberProfile,
    MemberReturn,
    ReportingRound,
    ReturnFigure,
    ReturnStatus,
    RoundStatus,
)
from charters import services as charter_services
from charters.models import Charter, Signatory, SignatoryStatus
from kvi import services as kvi_services
from organisations.models import OrganisationType
from tenancy.models import Role
from tenancy.permissions import tenant_access_for
from tests import factories

D = Decimal
PDF = b"%PDF-1.7\n%%EOF\n"


def access(cast, user):
    return tenant_access_for(user=user, tenant=cast.tenant)


def as_user(cast, user) -> dict:
    """tenant/actor/access keyword arguments for a service call by `user`."""
    return {"tenant": cast.tenant, "actor": user, "access": access(cast, user)}


def person(cast, role, organisation=None):
    user = factories.UserFactory()
    factories.MembershipFactory(tenant=cast.tenant, user=user, role=role, organisation=organisation)
    return user


def pdf(name="evidence.pdf"):
    return SimpleUploadedFile(name, PDF)


def anchor_charter(
    cast,
    *,
    title="Cheshire and Merseyside Anchor Institution Charter",
    publish=True,
    with_metrics=True,
) -> Charter:
    admin = as_user(cast, cast.tenant_admin)
    charter = services.anchor_charter_create(**admin, title=title, with_metrics=with_metrics)
    if publish:
        version = charter.versions.get()
        charter_services.charter_version_update(
            **admin, version=version, definition="What anchor institutions do for their places."
        )
        charter_services.charter_version_transition(
            **admin,
            version=version,
            to_status="endorsed",
            endorsing_body="Cheshire and Merseyside Health and Care Partnership",
            endorsed_on=timezone.localdate(),
        )
        charter_services.charter_version_transition(**admin, version=version, to_status="published")
        charter.refresh_from_db()
    return charter


def join(cast, charter: Charter, organisation=None, *, admin=None, approve=True) -> Signatory:
    """The organisation signs the published anchor charter with a pledge under a pillar and
    the tenant admin approves it."""
    organisation = organisation or cast.organisation
    admin = admin or (
        cast.organisation_admin
        if organisation == cast.organisation
        else person(cast, Role.ORGANISATION_ADMIN, organisation)
    )
    version = charter.versions.get(status="published")
    signatory = charter_services.charter_sign(
        **as_user(cast, admin),
        version=version,
        organisation=organisation,
        data=charter_services.SigningInput(
            signers=[{"name": "Ann Chair", "role": "Chief Executive"}],
            signed_on=timezone.localdate(),
            pledges=[
                charter_services.PledgeInput(
                    text="Spend more with firms in our boroughs.", theme_code="purchasing"
                )
            ],
        ),
    )
    if approve:
        signatory = charter_services.signatory_decide(
            **as_user(cast, cast.tenant_admin), signatory=signatory, decision="approve"
        )
    return signatory


@dataclass
class Member:
    signatory: Signatory
    admin: object


def member(cast, charter, organisation=None, *, sector_type=None) -> Member:
    """A member with its own organisation admin (a new organisation unless given)."""
    if organisation is None:
        kwargs = {"organisation__organisation_type": sector_type} if sector_type else {}
        organisation = factories.ParticipationFactory(tenant=cast.tenant, **kwargs).organisation
    admin = (
        cast.organisation_admin
        if organisation == cast.organisation
        else person(cast, Role.ORGANISATION_ADMIN, organisation)
    )
    return Member(join(cast, charter, organisation, admin=admin), admin)


def open_round(
    cast,
    charter,
    *,
    name="2023/24 H1",
    period_start=date(2023, 4, 1),
    period_end=date(2023, 9, 30),
    opens_on=None,
    due_on=None,
) -> ReportingRound:
    today = timezone.localdate()
    admin = as_user(cast, cast.tenant_admin)
    reporting_round = services.round_create(
        **admin,
        charter=charter,
        name=name,
        period_start=period_start,
        period_end=period_end,
        opens_on=opens_on or today - timedelta(days=1),
        due_on=due_on or today + timedelta(days=30),
    )
    return services.round_open(**admin, reporting_round=reporting_round)


def return_of(reporting_round, signatory) -> MemberReturn:
    return MemberReturn.objects.get(round=reporting_round, signatory=signatory)


def send_return(cast, reporting_round, m: Member, figures: dict[str, str], *, accept=True):
    """The member saves the figures (metric code -> value, in the metric's unit) and submits;
    with `accept`, the programme team accepts."""
    member_return = return_of(reporting_round, m.signatory)
    units = {
        pm.metric.code: pm.unit
        for pm in reporting_round.charter.anchor_metrics.select_related("metric")
    }
    services.return_save(
        **as_user(cast, m.admin),
        member_return=member_return,
        figures=[services.FigureInput(code, value, units[code]) for code, value in figures.items()],
        narratives={"purchasing": "We moved more spend to local firms."},
    )
    member_return = services.return_submit(**as_user(cast, m.admin), member_return=member_return)
    if accept:
        member_return = services.return_accept(
            **as_user(cast, cast.tenant_admin), member_return=member_return
        )
    return member_return


def one_row_of_each_anchor_model(cast) -> dict:
    """A row of every anchors model in the cast's tenant, through the services. For the
    row-level security tests."""
    from anchors import models

    admin = as_user(cast, cast.tenant_admin)
    charter = anchor_charter(cast)
    m = member(cast, charter, cast.organisation)
    services.member_priorities_set(
        **as_user(cast, m.admin), signatory=m.signatory, priority_codes=["real-living-wage"]
    )
    services.member_profile_update(
        **as_user(cast, m.admin), signatory=m.signatory, disclosure="anonymised"
    )
    reporting_round = open_round(cast, charter)
    member_return = return_of(reporting_round, m.signatory)
    services.return_evidence_add(
        **as_user(cast, m.admin), member_return=member_return, uploaded_file=pdf()
    )
    send_return(cast, reporting_round, m, {"ANC-LOCAL-SPEND-PCT": "12.5"}, accept=False)
    figure = member_return.figures.get()
    query = services.figure_query_raise(**admin, figure=figure, text="Is this 12.5%?")
    services.figure_query_respond(
        **as_user(cast, m.admin), query=query, response="Yes.", corrected_value=None
    )
    services.return_accept(**admin, member_return=member_return)
    assembly = services.assembly_create(
        **admin, charter=charter, held_on=date(2023, 7, 12), title="First Anchor Assembly"
    )
    services.assembly_attendee_add(
        **admin, assembly=assembly, name="Ann Chair", role="Chief Executive", signatory=m.signatory
    )
    services.assembly_action_add(
        **admin, assembly=assembly, text="Share the procurement pipeline", owner_name="Ann Chair"
    )
    return {
        model: model.objects.filter(tenant=cast.tenant).first()
        for model in (
            models.Priority,
            models.MemberPriority,
            models.MemberProfile,
            models.PillarMetric,
            models.ReportingRound,
            models.MemberReturn,
            models.ReturnFigure,
            models.FigureQuery,
            models.PillarNarrative,
            models.ReturnEvidence,
            models.Assembly,
            models.AssemblyAttendee,
            models.AssemblyAction,
        )
    }


def bulk_dashboard_data(cast, *, members: int, metrics: int, rounds: int):
    """A published anchor charter with `metrics` metrics, `members` members (every third
    anonymised) and `rounds` closed rounds, every return accepted with every figure."""
    admin = as_user(cast, cast.tenant_admin)
    charter = anchor_charter(cast, with_metrics=False)
    framework = kvi_services.framework_create(**admin, name="Bulk")
    theme = kvi_services.theme_save(**admin, framework=framework, name="Economic")
    subtheme = kvi_services.subtheme_save(**admin, theme=theme, name="All")
    made = [
        kvi_services.metric_save(
            **admin,
            subtheme=subtheme,
            code=f"M{n}",
            name=f"Metric {n}",
            definition="Something counted",
            unit="count",
            direction="decrease" if n % 2 else "increase",
            aggregation="sum",
        )
        for n in range(metrics)
    ]
    kvi_services.framework_publish(**admin, framework=framework)
    pillar_metrics = [
        services.pillar_metric_add(
            **admin, charter=charter, pillar_code="workforce", metric=m, in_collective_total=True
        )
        for m in made
    ]
    version = charter.versions.get()
    types = [OrganisationType.NHS_TRUST, OrganisationType.LOCAL_AUTHORITY, OrganisationType.VCSE]
    signatories = Signatory.objects.bulk_create(
        Signatory(
            tenant=cast.tenant,
            charter=charter,
            organisation=factories.OrganisationFactory(organisation_type=types[n % 3]),
            version=version,
            status=SignatoryStatus.SIGNED,
            signers=[{"name": "A", "role": "B"}],
            signed_on=timezone.localdate(),
        )
        for n in range(members)
    )
    MemberProfile.objects.bulk_create(
        MemberProfile(
            tenant=cast.tenant,
            signatory=s,
            anonymised_number=n + 1,
            disclosure="anonymised" if n % 3 == 0 else "named",
        )
        for n, s in enumerate(signatories)
    )
    made_rounds = ReportingRound.objects.bulk_create(
        ReportingRound(
            tenant=cast.tenant,
            charter=charter,
            name=f"Round {n}",
            period_start=date(2020 + n, 4, 1),
            period_end=date(2020 + n, 9, 30),
            opens_on=date(2020 + n, 10, 1),
            due_on=date(2020 + n, 11, 1),
            status=RoundStatus.CLOSED,
        )
        for n in range(rounds)
    )
    returns = MemberReturn.objects.bulk_create(
        MemberReturn(tenant=cast.tenant, round=r, signatory=s, status=ReturnStatus.ACCEPTED)
        for r in made_rounds
        for s in signatories
    )
    ReturnFigure.objects.bulk_create(
        ReturnFigure(
            tenant=cast.tenant,
            member_return=ret,
            pillar_metric=pm,
            value=Decimal(n % 17),
            unit="count",
        )
        for ret in returns
        for n, pm in enumerate(pillar_metrics)
    )
    return charter
