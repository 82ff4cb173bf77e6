"""The Anchor Assembly: an assembly reviews the latest round with accepted returns, records
attendees by member, agenda, minutes and actions with owners and due dates; open actions are
carried to later assemblies until done."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anchors import services
from anchors.models import Assembly, AssemblyAction
from anchors.selectors import assembly_detail, assembly_list
from tenancy.context import tenant_context
from tests.anchors_builders import anchor_charter, as_user, member, open_round, send_return

pytestmark = pytest.mark.django_db


def test_assemblies_attendees_actions_and_follow_up(cast_a):
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        charter = anchor_charter(cast_a)
        m = member(cast_a, charter, cast_a.organisation)
        reviewed = open_round(cast_a, charter)
        send_return(cast_a, reviewed, m, {"ANC-APPRENTICESHIPS": "4"})
        open_round(
            cast_a,
            charter,
            name="2023/24 H2",
            period_start=date(2023, 10, 1),
            period_end=date(2024, 3, 31),
        )  # open, nothing accepted: not what the assembly reviews
        first = services.assembly_create(
            **admin,
            charter=charter,
            held_on=date(2023, 7, 12),
            title="First Anchor Assembly",
            agenda="1. Welcome\n2. Progress against the pillars",
        )
        assert first.round == reviewed
        services.assembly_attendee_add(
            **admin, assembly=first, name="Ann Chair", role="Chief Executive", signatory=m.signatory
        )
        services.assembly_attendee_add(**admin, assembly=first, name="Guest Speaker")
        carried = services.assembly_action_add(
            **admin,
            assembly=first,
            text="Share the procurement pipeline with VCSE partners",
            owner_signatory=m.signatory,
            due_on=date(2023, 10, 1),
        )
        finished = services.assembly_action_add(
            **admin, assembly=first, text="Circulate the minutes", owner_name="Programme team"
        )
        services.assembly_action_done(**admin, action=finished, done_on=date(2023, 7, 20))
        services.assembly_update(
            **admin, assembly=first, agenda=first.agenda, minutes="Members reviewed progress."
        )
        second = services.assembly_create(
            **admin, charter=charter, held_on=date(2024, 1, 17), title="Second Anchor Assembly"
        )
        detail = assembly_detail(tenant=cast_a.tenant, assembly=second)
        assert detail["carried"] == [carried]
        assert assembly_detail(tenant=cast_a.tenant, assembly=first)["carried"] == []
        listed = {
            a.title: (a.open_actions, a.attendee_count)
            for a in assembly_list(tenant=cast_a.tenant, charter=charter)
        }
        assert listed == {"First Anchor Assembly": (1, 2), "Second Anchor Assembly": (0, 0)}
        services.assembly_action_done(**admin, action=carried)
        assert assembly_detail(tenant=cast_a.tenant, assembly=second)["carried"] == []
        with pytest.raises(ValidationError, match="already done"):
            services.assembly_action_done(**admin, action=carried)


def test_assembly_refusals(cast_a):
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        charter = anchor_charter(cast_a)
        with pytest.raises(PermissionDenied):
            services.assembly_create(
                **as_user(cast_a, cast_a.organisation_admin),
                charter=charter,
                held_on=date(2023, 7, 12),
                title="Ours",
            )
        assembly = services.assembly_create(
            **admin, charter=charter, held_on=date(2023, 7, 12), title="First"
        )
        assert assembly.round is None
        with pytest.raises(ValidationError) as error:
            services.assembly_create(
                **admin, charter=charter, held_on=date(2023, 7, 12), title="Again"
            )
        assert "held_on" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            services.assembly_action_add(
                **admin, assembly=assembly, text="", due_on=date(2023, 1, 1)
            )
        assert set(error.value.message_dict) == {"text", "owner_name", "due_on"}
        other = anchor_charter(cast_a, title="Other anchors")
        stranger = member(cast_a, other, cast_a.organisation)
        with pytest.raises(ValidationError):
            services.assembly_attendee_add(
                **admin, assembly=assembly, name="X", signatory=stranger.signatory
            )
        assert Assembly.objects.count() == 1 and not AssemblyAction.objects.exists()
