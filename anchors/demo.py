"""The anchors demo (run by `manage.py seed_demo`, after tenancy and charters; it runs the KVI
demo first, as kvi comes later in INSTALLED_APPS): Cheshire and Merseyside's Anchor Institution
Charter, endorsed and published, with 13 anchor institutions across NHS, council, voluntary and
private sectors (two anonymised), three half-yearly reporting rounds with every return accepted,
and the first Anchor Assembly on 12 July 2023 with its attendees, minutes and actions. What it
is made of: anchors.demo_data.

Everything goes through the services (charters.services, anchors.services), so the audit trail
is the one real use leaves; then history is dated back to when it happened (the services stamp
today). Idempotent: each step is skipped when its result exists. The institutions are demo
organisations already taking part in the programme, so no participation is added."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from anchors import demo_data as data
from anchors import services
from anchors.models import (
    Assembly,
    MemberReturn,
    PillarMetric,
    ReportingRound,
    ReturnStatus,
)
from charters import services as charter_services
from charters.models import (
    Charter,
    CharterVersion,
    Signatory,
    SignatoryStatus,
    VersionStatus,
)
from charters.services import Decision, PledgeInput, SigningInput
from kvi.models import Unit
from organisations.models import Organisation
from organisations.selectors import participation_list
from tenancy.context import tenant_context
from tenancy.demo import LOGINS, TENANTS
from tenancy.models import Role, Tenant
from tenancy.permissions import TenantAccess, tenant_access_for

CM_SLUG = str(TENANTS[0]["slug"])


def _as_of(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _login(role: str, organisation_key=None) -> str | None:
    return next(
        (
            email
            for email, _name, slug, login_role, key in LOGINS
            if slug == CM_SLUG and login_role == role and key == organisation_key
        ),
        None,
    )


class People:
    """The programme team (the demo tenant admin) and whoever acts for each member."""

    def __init__(self, tenant: Tenant):
        self.tenant = tenant
        users = get_user_model().objects
        self.admin = users.filter(email=_login(Role.TENANT_ADMIN)).first()
        self.ready = self.admin is not None
        self.team: dict[str, Any] = {}
        if self.ready:
            self.team = {
                "tenant": tenant,
                "actor": self.admin,
                "access": tenant_access_for(user=self.admin, tenant=tenant),
            }

    def member(self, organisation: Organisation) -> dict[str, Any]:
        """Its demo login when it has one (Wirral), else acting as its admin would."""
        email = _login(Role.ORGANISATION_ADMIN, organisation.ods_code or organisation.name)
        user = get_user_model().objects.filter(email=email).first() if email else None
        if user is not None:
            return {
                "tenant": self.tenant,
                "actor": user,
                "access": tenant_access_for(user=user, tenant=self.tenant),
            }
        access = TenantAccess(
            tenant_id=self.tenant.id,
            organisation_roles={organisation.id: frozenset({Role.ORGANISATION_ADMIN})},
        )
        return {"tenant": self.tenant, "actor": None, "access": access}


# --- The charter -----------------------------------------------------------------------------


def _charter(people: People) -> Charter | None:
    """The published anchor charter (made, endorsed and published when missing); None when it
    exists but has no published version (changed by hand: left alone)."""
    charter = Charter.objects.filter(tenant=people.tenant, slug=slugify(data.ANCHOR_TITLE)).first()
    if charter is None:
        charter = services.anchor_charter_create(**people.team, title=data.ANCHOR_TITLE)
        version = charter.versions.get()
        charter_services.charter_version_update(**people.team, version=version, **data.TEXT)
        charter_services.charter_version_transition(
            **people.team,
            version=version,
            to_status=VersionStatus.ENDORSED,
            endorsing_body=data.ENDORSING_BODY,
            endorsed_on=data.ENDORSED_ON,
            note="Endorsed by the Partnership with its 13 founding anchor institutions.",
        )
        charter_services.charter_version_transition(
            **people.team, version=version, to_status=VersionStatus.PUBLISHED
        )
        when = _as_of(data.ENDORSED_ON)
        CharterVersion.objects.filter(pk=version.pk).update(published_at=when)
        version.transitions.update(created_at=when)
    if not charter.versions.filter(status=VersionStatus.PUBLISHED).exists():
        return None
    return charter


# --- Members ---------------------------------------------------------------------------------


def _institutions(tenant: Tenant) -> list[tuple[data.Institution, Organisation]]:
    """Each institution with its organisation among the programme's participants: by ODS code
    or name, else the first "(demo)" organisation of its kind by name not already used."""
    participants = sorted(
        (p.organisation for p in participation_list(tenant=tenant)), key=lambda o: o.name
    )
    by_key = {o.ods_code or o.name: o for o in participants}
    used = {by_key[i.key].pk for i in data.INSTITUTIONS if i.key in by_key}
    found = []
    for institution in data.INSTITUTIONS:
        if institution.key:
            organisation = by_key.get(institution.key)
        else:
            organisation = next(
                (
                    o
                    for o in participants
                    if o.organisation_type == institution.kind
                    and o.name.endswith("(demo)")
                    and o.pk not in used
                ),
                None,
            )
        if organisation is not None:
            used.add(organisation.pk)
            found.append((institution, organisation))
    return found


def _join(people: People, charter: Charter, institution, organisation) -> Signatory:
    version = charter.versions.get(status=VersionStatus.PUBLISHED)
    name, role = institution.signer
    pillar, pledge = institution.pledge
    signatory = charter_services.charter_sign(
        **people.member(organisation),
        version=version,
        organisation=organisation,
        data=SigningInput(
            signers=[{"name": name or f"{role} of {organisation.name}", "role": role}],
            signed_on=institution.signed_on,
            pledges=[PledgeInput(text=pledge, theme_code=pillar)],
        ),
    )
    signatory = charter_services.signatory_decide(
        **people.team, signatory=signatory, decision=Decision.APPROVE
    )
    approved_on = institution.signed_on + timedelta(days=7)
    Signatory.objects.filter(pk=signatory.pk, status=SignatoryStatus.SIGNED).update(
        approved_on=approved_on, decided_at=_as_of(approved_on)
    )
    services.member_priorities_set(
        **people.member(organisation),
        signatory=signatory,
        priority_codes=list(institution.priorities),
    )
    services.member_profile_update(
        **people.member(organisation),
        signatory=signatory,
        disclosure="anonymised" if institution.anonymised else "named",
    )
    return signatory


def _members(people: People, charter: Charter) -> list[tuple[data.Institution, Signatory]]:
    existing = {
        s.organisation_id: s
        for s in Signatory.objects.filter(tenant=people.tenant, charter=charter)
    }
    members = []
    for institution, organisation in _institutions(people.tenant):
        signatory = existing.get(organisation.pk) or _join(
            people, charter, institution, organisation
        )
        members.append((institution, signatory))
    return members


# --- Reporting rounds ------------------------------------------------------------------------


def figure(code: str, unit: str, institution: data.Institution, index: int, round_index: int):
    """A plausible figure for the institution in the round: sizes vary with its scale, every
    member improves a little each round, and no two members report the same."""
    spec = data.ROUNDS[round_index]
    wobble = Decimal(100 + (index * 7 + round_index * 3) % 11 - 5) / 100  # 0.95 to 1.05
    base = data.BASES[code]
    if unit == Unit.PERCENT:
        value = base * wobble + data.PERCENT_STEP.get(code, Decimal(1)) * round_index
        value += Decimal((index * 5) % 13) - 6
        return min(max(value, Decimal(1)), Decimal(100)).quantize(Decimal("0.1"))
    value = base * institution.scale * spec.growth * wobble
    if unit == Unit.POUNDS:
        return value.quantize(Decimal(1000))
    return max(value.quantize(Decimal(1)), Decimal(1))


def _send_returns(people, reporting_round, spec, members, metrics) -> None:
    returns = {
        r.signatory_id: r
        for r in MemberReturn.objects.filter(tenant=people.tenant, round=reporting_round)
    }
    round_index = data.ROUNDS.index(spec)
    for index, (institution, signatory) in enumerate(members):
        member_return = returns.get(signatory.pk)
        if member_return is None or member_return.status != ReturnStatus.NOT_STARTED:
            continue
        as_member = people.member(signatory.organisation)
        services.return_save(
            **as_member,
            member_return=member_return,
            figures=[
                services.FigureInput(
                    pm.metric.code,
                    figure(pm.metric.code, pm.unit, institution, index, round_index),
                    pm.unit,
                )
                for pm in metrics
            ],
            narratives={pillar: text for pillar, text in data.NARRATIVES.items()},
        )
        services.return_submit(**as_member, member_return=member_return)
        services.return_accept(**people.team, member_return=member_return)
        late = index in spec.late
        sent_on = spec.due_on + timedelta(days=3) if late else spec.due_on - timedelta(days=index)
        accepted_on = max(sent_on, spec.due_on) + timedelta(days=5 + index % 4)
        MemberReturn.objects.filter(pk=member_return.pk).update(
            submitted_at=_as_of(sent_on, 9 + index % 8),
            submitted_late=late,
            accepted_at=_as_of(accepted_on, 11),
        )


def _rounds(people: People, charter: Charter, members) -> dict[str, ReportingRound]:
    metrics = list(
        PillarMetric.objects.filter(tenant=people.tenant, charter=charter)
        .select_related("metric")
        .order_by("position")
    )
    made = {r.name: r for r in ReportingRound.objects.filter(tenant=people.tenant, charter=charter)}
    for spec in data.ROUNDS:
        reporting_round = made.get(spec.name)
        if reporting_round is None:
            reporting_round = services.round_create(
                **people.team,
                charter=charter,
                name=spec.name,
                period_start=spec.period_start,
                period_end=spec.period_end,
                opens_on=spec.opens_on,
                due_on=spec.due_on,
            )
            reporting_round = services.round_open(**people.team, reporting_round=reporting_round)
            _send_returns(people, reporting_round, spec, members, metrics)
            reporting_round = services.round_close(**people.team, reporting_round=reporting_round)
            ReportingRound.objects.filter(pk=reporting_round.pk).update(
                opened_at=_as_of(spec.opens_on, 9), closed_at=_as_of(spec.closed_on, 17)
            )
            reporting_round.refresh_from_db()
            made[spec.name] = reporting_round
    return made


# --- The Anchor Assembly ---------------------------------------------------------------------


def _assemblies(people: People, charter: Charter, members, rounds) -> None:
    held = set(
        Assembly.objects.filter(tenant=people.tenant, charter=charter).values_list(
            "held_on", flat=True
        )
    )
    for spec in data.ASSEMBLIES:
        if spec.held_on in held:
            continue
        assembly = services.assembly_create(
            **people.team,
            charter=charter,
            held_on=spec.held_on,
            title=spec.title,
            agenda=spec.agenda,
            reporting_round=rounds.get(spec.round_name),
        )
        services.assembly_update(
            **people.team, assembly=assembly, agenda=spec.agenda, minutes=spec.minutes
        )
        for position in spec.attending:
            institution, signatory = members[position]
            role = institution.signer[1]
            services.assembly_attendee_add(
                **people.team,
                assembly=assembly,
                name=institution.lead,
                role=role,
                signatory=signatory,
            )
        for name, role in spec.guests:
            services.assembly_attendee_add(**people.team, assembly=assembly, name=name, role=role)
        for action_spec in spec.actions:
            owner = members[action_spec.owner][1] if action_spec.owner is not None else None
            action = services.assembly_action_add(
                **people.team,
                assembly=assembly,
                text=action_spec.text,
                owner_signatory=owner,
                owner_name=action_spec.owner_name,
                due_on=action_spec.due_on,
            )
            if action_spec.done_on:
                services.assembly_action_done(
                    **people.team, action=action, done_on=action_spec.done_on
                )


@transaction.atomic
def build_demo() -> None:
    from kvi.demo import build_demo as build_kvi_demo

    build_kvi_demo()  # the programme's published KVI frameworks first (idempotent)
    tenant = Tenant.objects.filter(slug=CM_SLUG).first()
    if tenant is None:
        return
    with tenant_context(tenant.id):
        people = People(tenant)
        if not people.ready:
            return
        charter = _charter(people)
        if charter is None:
            return
        members = _members(people, charter)
        if len(members) != len(data.INSTITUTIONS):
            return  # the demo organisations are missing: nothing more to build on
        rounds = _rounds(people, charter, members)
        _assemblies(people, charter, members, rounds)
