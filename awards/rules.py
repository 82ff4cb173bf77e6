"""What an application must hold before it can be submitted, as reads: the questions that apply
to it and the list of what is still missing (shown as the applicant works, checked on submit)."""

from dataclasses import dataclass

from django.db.models import Count, F, Q

from awards.models import Application, AreasRule, Criterion, SchemeArea


@dataclass(frozen=True)
class Missing:
    """One thing still missing: `key` names what it is about ("areas", "criterion:<code>",
    "commitments", "commitment:<id>") so a page can show it beside the right part."""

    key: str
    message: str


def word_count(text: str) -> int:
    return len(text.split())


def applicable_criteria(*, tenant, application: Application) -> list[Criterion]:
    """The questions of the application's version for its level (or all levels) and its chosen
    areas (or no area), area joined, in order."""
    return list(
        Criterion.objects.filter(tenant=tenant, version=application.version_id)
        .filter(Q(level__isnull=True) | Q(level=application.level_id))
        .filter(Q(area__isnull=True) | Q(area__code__in=application.area_codes))
        .select_related("area")
        .order_by(F("area__position").asc(nulls_first=True), "position", "code")
    )


def application_missing(*, tenant, application: Application) -> list[Missing]:
    """Everything that stops the application being submitted, in the order of the form."""
    version, level = application.version, application.level
    missing: list[Missing] = []
    areas = list(SchemeArea.objects.filter(tenant=tenant, version=version).order_by("position"))
    names = {area.code: area.name for area in areas}
    chosen = [code for code in application.area_codes if code in names]
    if version.areas_rule == AreasRule.ALL and len(chosen) < len(areas):
        missing.append(Missing("areas", "Cover every area of the award."))
    elif len(chosen) < level.minimum_areas:
        missing.append(
            Missing(
                "areas",
                f"Choose at least {level.minimum_areas} area"
                f"{'s' if level.minimum_areas != 1 else ''} (you have chosen {len(chosen)}).",
            )
        )
    answers = {
        criterion_id: (text, words)
        for criterion_id, text, words in application.answers.filter(tenant=tenant).values_list(
            "criterion_id", "text", "word_count"
        )
    }
    for criterion in applicable_criteria(tenant=tenant, application=application):
        where = f" ({criterion.area.name})" if criterion.area is not None else ""
        text, words = answers.get(criterion.pk, ("", 0))
        if not text.strip():
            missing.append(
                Missing(f"criterion:{criterion.code}", f"Answer “{criterion.text}”{where}.")
            )
        elif criterion.word_limit and words > criterion.word_limit:
            missing.append(
                Missing(
                    f"criterion:{criterion.code}",
                    f"Your answer to “{criterion.text}”{where} has {words} words: the limit is "
                    f"{criterion.word_limit}.",
                )
            )
    commitments = list(
        application.commitments.filter(tenant=tenant)
        .select_related("area")
        .annotate(kvi_count=Count("kvi_links"))
        .order_by("position", "created_at")
    )
    if len(commitments) < level.minimum_commitments:
        missing.append(
            Missing(
                "commitments",
                f"{level.name} asks for at least {level.minimum_commitments} commitments "
                f"(you have {len(commitments)}).",
            )
        )
    for number, commitment in enumerate(commitments, start=1):
        if commitment.area.code not in chosen:
            missing.append(
                Missing(
                    f"commitment:{commitment.pk}",
                    f"Commitment {number} is in {commitment.area.name}, an area you have not "
                    "chosen: choose the area or move the commitment.",
                )
            )
        if commitment.kvi_count < level.kvis_per_commitment:
            missing.append(
                Missing(
                    f"commitment:{commitment.pk}",
                    f"Link at least {level.kvis_per_commitment} KVI"
                    f"{'s' if level.kvis_per_commitment != 1 else ''} to commitment {number} "
                    f"(“{commitment.text[:60]}”) to track it.",
                )
            )
    return missing
