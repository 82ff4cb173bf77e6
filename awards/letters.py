"""The feedback letter drafted from the scores and the assessors' comments for the applicant.

Never includes assessors' private notes or names. The tenant admin edits the draft before it
is sent."""

from decimal import ROUND_HALF_UP, Decimal

from awards.models import Application, DecisionOutcome
from awards.moderation import Moderation


def _descriptor(descriptors: dict, mean: Decimal) -> str:
    nearest = str(int(mean.quantize(Decimal(1), ROUND_HALF_UP)))
    return descriptors.get(nearest, "")


def feedback_letter(*, application: Application, moderation: Moderation, outcome: str) -> str:
    if moderation.result is None:
        raise ValueError("The assessment is not complete")
    version, level = application.version, application.level
    organisation = application.organisation.name
    result = moderation.result
    lines = [
        f"Dear {organisation},",
        "",
        f"{version.name}: your application for {level.name}",
        "",
        f"Thank you for applying for {level.name} of {version.name}. The assessors scored your "
        f"application {result.percent}% overall, against a pass mark of {result.pass_mark}%.",
        "",
    ]
    if outcome == DecisionOutcome.AWARDED:
        years = level.validity_years
        lines.append(
            f"We are pleased to tell you that {organisation} has been awarded {level.name}. "
            f"The award is valid for {years} year{'s' if years != 1 else ''}; your certificate "
            "carries a code anyone can use to check it."
        )
    else:
        days = version.appeal_working_days
        lines.append(
            f"We are sorry to tell you that {organisation} has not been awarded {level.name} "
            f"this time. If you think the decision is wrong you may appeal, giving your "
            f"reasons, within {days} working days of this letter."
        )
    lines += ["", "What the assessors said", ""]
    area = None
    for row in moderation.rows:
        criterion = row.criterion
        heading = criterion.area.name if criterion.area is not None else "General"
        if heading != area:
            lines += [heading, "-" * len(heading)]
            area = heading
        lines.append(criterion.text)
        if row.mean is not None:
            descriptor = _descriptor(version.rubric_descriptors or {}, row.mean)
            lines.append(
                f"Score: {row.mean} out of {version.rubric_max}"
                + (f" ({descriptor})" if descriptor else "")
            )
        for score in row.scores:
            if score is not None and score.comment:
                lines.append(f"- {score.comment}")
        lines.append("")
    lines += ["Yours sincerely,", "", f"The {version.name} team"]
    return "\n".join(lines)
