"""Output serializers of the anchor API, and the query parameters of its figure lists.

Disclosure: a member appears as `member` (its key: the signatory id when named, its label
such as "Member C" when anonymised to the caller) with `name`, `named` and `sector`; an
anonymised member carries no id and no organisation name anywhere."""

from rest_framework import serializers

from anchors.models import PriorityKind, RoundStatus
from charters.models import VersionStatus
from kvi.models import Direction
from organisations.models import Sector

FIGURE = {"max_digits": 30, "decimal_places": 6}


class PriorityOut(serializers.Serializer):
    code = serializers.SlugField(help_text="Stable from one version to the next.")
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=PriorityKind.choices)


class PillarOut(serializers.Serializer):
    code = serializers.SlugField(help_text="Stable from one version to the next.")
    name = serializers.CharField()
    priorities = PriorityOut(many=True, help_text="Principles and priorities under the pillar.")


class PillarMetricOut(serializers.Serializer):
    code = serializers.CharField(help_text="The KVI engine metric's code.")
    name = serializers.CharField()
    pillar = serializers.SlugField(help_text="The pillar's code.")
    unit = serializers.CharField(help_text="The unit figures are given in.")
    direction = serializers.ChoiceField(choices=Direction.choices)
    in_collective_total = serializers.BooleanField(
        help_text="Members' figures add up to the charter's collective impact."
    )


class VersionRefOut(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=VersionStatus.choices)


class AnchorCharterOut(serializers.Serializer):
    slug = serializers.SlugField(help_text="Stable id of the charter, used in its URLs.")
    title = serializers.CharField()
    current_version = VersionRefOut(
        allow_null=True, help_text="The published version, else the latest; null without one."
    )
    pillars = PillarOut(many=True, help_text="The current version's pillars, in order.")
    metrics = PillarMetricOut(many=True, help_text="The evidence framework.")
    updated_at = serializers.DateTimeField()


class MemberOut(serializers.Serializer):
    member = serializers.CharField(
        help_text="The member's key: its id when named, its label when anonymised. Figures "
        "carry the same key."
    )
    id = serializers.UUIDField(
        allow_null=True, help_text="The member's (signatory's) id; null when anonymised."
    )
    name = serializers.CharField(help_text='The organisation\'s name, or a label ("Member C").')
    named = serializers.BooleanField()
    sector = serializers.ChoiceField(choices=Sector.choices)


class RoundOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    opens_on = serializers.DateField()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=RoundStatus.choices)
    monetised_value_gross = serializers.DecimalField(
        **FIGURE,
        allow_null=True,
        help_text="£: accepted figures priced with the tenant's proxy values; null if none.",
    )
    monetised_value_net = serializers.DecimalField(
        **FIGURE, allow_null=True, help_text="£, less deadweight and attribution."
    )


class FigureOut(serializers.Serializer):
    round = serializers.UUIDField()
    round_name = serializers.CharField()
    metric = serializers.CharField(help_text="The metric's code.")
    pillar = serializers.SlugField()
    unit = serializers.CharField()
    member = serializers.CharField(help_text="The member's key (see the members list).")
    member_name = serializers.CharField()
    named = serializers.BooleanField()
    sector = serializers.ChoiceField(choices=Sector.choices)
    value = serializers.DecimalField(**FIGURE)
    rank = serializers.IntegerField(help_text="1 is the best; equal figures share a rank.")
    of = serializers.IntegerField(help_text="How many members were ranked.")
    quartile = serializers.IntegerField(help_text="1 is the best quarter.")
    sector_rank = serializers.IntegerField(allow_null=True)
    sector_of = serializers.IntegerField(allow_null=True)


class AggregateOut(serializers.Serializer):
    round = serializers.UUIDField()
    round_name = serializers.CharField()
    metric = serializers.CharField()
    pillar = serializers.SlugField()
    unit = serializers.CharField()
    in_collective_total = serializers.BooleanField()
    members_reporting = serializers.IntegerField()
    total = serializers.DecimalField(
        **FIGURE, allow_null=True, help_text="Null unless the metric adds up (not for %)."
    )
    median = serializers.DecimalField(**FIGURE, allow_null=True)
    lower_quartile = serializers.DecimalField(**FIGURE, allow_null=True)
    upper_quartile = serializers.DecimalField(**FIGURE, allow_null=True)


class FigureFilter(serializers.Serializer):
    """The query parameters of the figure lists."""

    round = serializers.UUIDField(required=False, help_text="Only this round (its id).")
    metric = serializers.CharField(
        required=False, max_length=40, help_text="Only this metric (its code)."
    )
