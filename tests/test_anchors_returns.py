"""Reporting rounds and members' returns: the whole journey (open, save, evidence, submit,
query, correct, accept) with its emails, and the refusals: late (flagged), wrong unit (refused
naming the field), closed round (refused), and who may do what."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from anchors import services
from anchors.models import FigureQuery, MemberReturn, ReturnEvidence, ReturnFigure, ReturnStatus
from anchors.tasks import send_return_reminders
from kvi import services as kvi_services
from tenancy.context import tenant_context
from tests.anchors_builders import (
    anchor_charter,
    as_user,
    member,
    open_round,
    pdf,
    return_of,
    send_return,
)

pytestmark = pytest.mark.django_db

D = Decimal


def test_the_whole_journey_of_a_return(cast_a, django_capture_on_commit_callbacks, mailoutbox):
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        charter = anchor_charter(cast_a)
        m = member(cast_a, charter, cast_a.organisation)
        with django_capture_on_commit_callbacks(execute=True):
            reporting_round = open_round(cast_a, charter)
        member_return = return_of(reporting_round, m.signatory)
        assert member_return.status == ReturnStatus.NOT_STARTED
        member_admin = as_user(cast_a, m.admin)
        services.return_save(
            **member_admin,
            member_return=member_return,
            figures=[
                services.FigureInput("ANC-LOCAL-SPEND-PCT", "13.09", "%"),
                services.FigureInput("ANC-LOCAL-SPEND", "1,250,000", "£", note="From the ledger"),
                services.FigureInput("ANC-APPRENTICESHIPS", "21", "count"),
            ],
            narratives={"purchasing": "More spend with Wirral firms.", "workforce": "21 starts."},
        )
        member_return.refresh_from_db()
        assert member_return.status == ReturnStatus.DRAFT
        evidence = services.return_evidence_add(
            **member_admin, member_return=member_return, uploaded_file=pdf("ledger.pdf")
        )
        assert (evidence.file_name, evidence.content_type) == ("ledger.pdf", "application/pdf")
        with django_capture_on_commit_callbacks(execute=True):
            member_return = services.return_submit(**member_admin, member_return=member_return)
        assert member_return.status == ReturnStatus.SUBMITTED
        assert not member_return.submitted_late
        assert services.late_message(member_return) == ""

        figure = member_return.figures.get(pillar_metric__metric__code="ANC-LOCAL-SPEND")
        assert figure.value == D("1250000") and figure.unit == "£"
        with django_capture_on_commit_callbacks(execute=True):
            query = services.figure_query_raise(
                **admin, figure=figure, text="Is this the whole year or the half-year?"
            )
        member_return.refresh_from_db()
        assert member_return.status == ReturnStatus.QUERIED
        with pytest.raises(ValidationError, match="queries waiting"):
            services.return_accept(**admin, member_return=member_return)
        with django_capture_on_commit_callbacks(execute=True):
            services.figure_query_respond(
                **member_admin,
                query=query,
                response="It was the year: the half-year is £625,000.",
                corrected_value="625000",
                unit="£",
            )
        query.refresh_from_db()
        assert (query.old_value, query.new_value) == (D("1250000"), D("625000"))
        figure.refresh_from_db()
        assert figure.value == D("625000")
        member_return.refresh_from_db()
        assert member_return.status == ReturnStatus.SUBMITTED
        with django_capture_on_commit_callbacks(execute=True):
            member_return = services.return_accept(**admin, member_return=member_return)
        assert member_return.status == ReturnStatus.ACCEPTED
        assert member_return.accepted_by == cast_a.tenant_admin
        query.refresh_from_db()
        assert query.resolved_at is not None
    org = cast_a.organisation.name
    sent = {mail.subject: set(mail.to) for mail in mailoutbox}
    admins, org_admins = {cast_a.tenant_admin.email}, {cast_a.organisation_admin.email}
    assert sent[f"{charter.title}: your 2023/24 H1 return is open"] == org_admins
    assert sent[f"{org} has sent its 2023/24 H1 return"] == admins
    assert sent["A question about your 2023/24 H1 return"] == org_admins
    assert sent[f"{org} has answered your question"] == admins
    assert sent["Your 2023/24 H1 return is accepted"] == org_admins
    question = next(x for x in mailoutbox if x.subject.startswith("A question"))
    assert "Is this the whole year or the half-year?" in question.body
    assert "Spend with local suppliers (£)" in question.body


def test_a_figure_in_the_wrong_unit_is_refused_naming_the_field(cast_a):
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
        m = member(cast_a, charter, cast_a.organisation)
        member_return = return_of(open_round(cast_a, charter), m.signatory)
        with pytest.raises(ValidationError) as error:
            services.return_save(
                **as_user(cast_a, m.admin),
                member_return=member_return,
                figures=[
                    services.FigureInput("ANC-APPRENTICESHIPS", "21", "count"),
                    services.FigureInput("ANC-LOCAL-SPEND-PCT", "1250000", "£"),
                ],
            )
        assert error.value.message_dict == {
            "figure_ANC-LOCAL-SPEND-PCT": [
                "Spend with local suppliers (%) is reported in %, not £: enter the figure in %."
            ]
        }
        assert not ReturnFigure.objects.exists()
        member_return.refresh_from_db()
        assert member_return.status == ReturnStatus.NOT_STARTED


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("lots", "Spend with local suppliers (%): enter a number."),
        ("101", "Spend with local suppliers (%) is a percentage: enter 0 to 100."),
        ("-1", "Spend with local suppliers (%) cannot be negative."),
        ("1.0000001", "Spend with local suppliers (%): use at most 6 decimal places."),
    ],
)
def test_a_figure_that_is_not_a_sensible_number_is_refused(cast_a, value, message):
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
        m = member(cast_a, charter, cast_a.organisation)
        member_return = return_of(open_round(cast_a, charter), m.signatory)
        with pytest.raises(ValidationError) as error:
            services.return_save(
                **as_user(cast_a, m.admin),
                member_return=member_return,
                figures=[services.FigureInput("ANC-LOCAL-SPEND-PCT", value, "%")],
            )
        assert error.value.message_dict == {"figure_ANC-LOCAL-SPEND-PCT": [message]}


def test_a_late_return_is_accepted_but_flagged_late(
    cast_a, django_capture_on_commit_callbacks, mailoutbox
):
    today = timezone.localdate()
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
        m = member(cast_a, charter, cast_a.organisation)
        reporting_round = open_round(
            cast_a, charter, opens_on=today - timedelta(days=40), due_on=today - timedelta(days=2)
        )
        with django_capture_on_commit_callbacks(execute=True):
            member_return = send_return(
                cast_a, reporting_round, m, {"ANC-APPRENTICESHIPS": "3"}, accept=False
            )
        assert member_return.status == ReturnStatus.SUBMITTED
        assert member_return.submitted_late
        due = reporting_round.due_on
        assert services.late_message(member_return) == (
            f"Your return was sent after it was due on {due:%-d %B %Y}: it is recorded as late."
        )
    sent = next(x for x in mailoutbox if "has sent its" in x.subject)
    assert "recorded as late" in sent.body


def test_a_return_for_a_closed_round_is_refused(cast_a):
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        charter = anchor_charter(cast_a)
        m = member(cast_a, charter, cast_a.organisation)
        reporting_round = open_round(cast_a, charter)
        member_return = return_of(reporting_round, m.signatory)
        services.return_save(
            **as_user(cast_a, m.admin),
            member_return=member_return,
            figures=[services.FigureInput("ANC-APPRENTICESHIPS", "3", "count")],
        )
        services.round_close(**admin, reporting_round=reporting_round)
        member_return = return_of(reporting_round, m.signatory)
        message = (
            "The 2023/24 H1 round has closed: returns can no longer be sent or changed. Ask the "
            "programme team if you need to report."
        )
        with pytest.raises(ValidationError) as error:
            services.return_submit(**as_user(cast_a, m.admin), member_return=member_return)
        assert error.value.messages == [message]
        with pytest.raises(ValidationError, match="has closed"):
            services.return_save(
                **as_user(cast_a, m.admin),
                member_return=member_return,
                figures=[services.FigureInput("ANC-APPRENTICESHIPS", "4", "count")],
            )
        member_return.refresh_from_db()
        assert member_return.status == ReturnStatus.DRAFT
        assert member_return.figures.get().value == 3
        with pytest.raises(ValidationError, match="only an open round can be closed"):
            services.round_close(**admin, reporting_round=reporting_round)


def test_a_round_opens_only_from_draft_with_metrics_and_members(cast_a):
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        bare = anchor_charter(cast_a, title="No metrics", with_metrics=False)
        member(cast_a, bare, cast_a.organisation)
        dates = services.half_year_dates(date(2023, 4, 1))
        no_metrics = services.round_create(
            **admin,
            charter=bare,
            name=dates.name,
            period_start=dates.period_start,
            period_end=dates.period_end,
            opens_on=dates.opens_on,
            due_on=dates.due_on,
        )
        with pytest.raises(ValidationError, match="Add the metrics"):
            services.round_open(**admin, reporting_round=no_metrics)
        charter = anchor_charter(cast_a, title="No members yet")
        empty = services.round_create(
            **admin,
            charter=charter,
            name="2023/24 H1",
            period_start=date(2023, 4, 1),
            period_end=date(2023, 9, 30),
            opens_on=date(2023, 10, 1),
            due_on=date(2023, 11, 1),
        )
        with pytest.raises(ValidationError, match="no members"):
            services.round_open(**admin, reporting_round=empty)
        with pytest.raises(ValidationError) as error:
            services.round_create(
                **admin,
                charter=charter,
                name="2023/24 h1",
                period_start=date(2023, 10, 1),
                period_end=date(2023, 9, 30),
                opens_on=date(2023, 10, 1),
                due_on=date(2023, 9, 1),
            )
        assert set(error.value.message_dict) == {"name", "period_end", "due_on"}
        with pytest.raises(PermissionDenied):
            services.round_create(
                **as_user(cast_a, cast_a.organisation_admin),
                charter=charter,
                name="2024/25 H1",
                period_start=date(2024, 4, 1),
                period_end=date(2024, 9, 30),
                opens_on=date(2024, 10, 1),
                due_on=date(2024, 11, 1),
            )


def test_half_year_rounds_follow_the_nhs_financial_year(cast_a):
    h1 = services.half_year_dates(date(2023, 4, 1))
    assert (h1.name, h1.period_end, h1.opens_on, h1.due_on) == (
        "2023/24 H1",
        date(2023, 9, 30),
        date(2023, 10, 1),
        date(2023, 11, 1),
    )
    h2 = services.half_year_dates(date(2023, 10, 1))
    assert (h2.name, h2.period_end) == ("2023/24 H2", date(2024, 3, 31))
    with pytest.raises(ValidationError):
        services.half_year_dates(date(2023, 5, 1))
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
        first = services.next_round_dates(
            tenant=cast_a.tenant, charter=charter, today=date(2024, 2, 10)
        )
        assert first.name == "2023/24 H1"
        first = services.next_round_dates(
            tenant=cast_a.tenant, charter=charter, today=date(2024, 5, 10)
        )
        assert first.name == "2023/24 H2"
        admin = as_user(cast_a, cast_a.tenant_admin)
        services.round_create(**admin, charter=charter, **first.__dict__)
        after = services.next_round_dates(tenant=cast_a.tenant, charter=charter)
        assert (after.name, after.period_start) == ("2024/25 H1", date(2024, 4, 1))


def test_only_the_members_organisation_admin_writes_its_return(cast_a):
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
        m = member(cast_a, charter, cast_a.organisation)
        other = member(cast_a, charter)
        member_return = return_of(open_round(cast_a, charter), m.signatory)
        figures = [services.FigureInput("ANC-APPRENTICESHIPS", "3", "count")]
        for user in (other.admin, cast_a.organisation_member, cast_a.tenant_admin, cast_a.outsider):
            with pytest.raises(PermissionDenied):
                services.return_save(
                    **as_user(cast_a, user), member_return=member_return, figures=figures
                )
            with pytest.raises(PermissionDenied):
                services.return_evidence_add(
                    **as_user(cast_a, user), member_return=member_return, uploaded_file=pdf()
                )
        assert not ReturnFigure.objects.exists() and not ReturnEvidence.objects.exists()
        services.return_save(
            **as_user(cast_a, m.admin), member_return=member_return, figures=figures
        )
        member_return = services.return_submit(
            **as_user(cast_a, m.admin), member_return=member_return
        )
        figure = member_return.figures.get()
        with pytest.raises(PermissionDenied):
            services.figure_query_raise(**as_user(cast_a, m.admin), figure=figure, text="Sure?")
        with pytest.raises(PermissionDenied):
            services.return_accept(**as_user(cast_a, m.admin), member_return=member_return)
        assert not FigureQuery.objects.exists()
        assert MemberReturn.objects.get(pk=member_return.pk).status == ReturnStatus.SUBMITTED
        # Once submitted, files can no longer be added.
        with pytest.raises(ValidationError):
            services.return_evidence_add(
                **as_user(cast_a, m.admin), member_return=member_return, uploaded_file=pdf()
            )


def test_evidence_is_judged_from_its_content(cast_a):
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
        m = member(cast_a, charter, cast_a.organisation)
        other = member(cast_a, charter)
        member_return = return_of(open_round(cast_a, charter), m.signatory)
        from django.core.files.uploadedfile import SimpleUploadedFile

        with pytest.raises(ValidationError) as error:
            services.return_evidence_add(
                **as_user(cast_a, m.admin),
                member_return=member_return,
                uploaded_file=SimpleUploadedFile("x.pdf", b"\x00\x01binary"),
            )
        assert "file" in error.value.message_dict
        evidence = services.return_evidence_add(
            **as_user(cast_a, m.admin), member_return=member_return, uploaded_file=pdf()
        )
        for user in (cast_a.tenant_admin, cast_a.organisation_member):
            assert (
                services.return_evidence_get(
                    tenant=cast_a.tenant, access=as_user(cast_a, user)["access"], pk=evidence.pk
                )
                == evidence
            )
        for user in (other.admin, cast_a.assessor):
            with pytest.raises(PermissionDenied):
                services.return_evidence_get(
                    tenant=cast_a.tenant, access=as_user(cast_a, user)["access"], pk=evidence.pk
                )


def test_reminders_go_once_before_the_due_date_and_once_after(
    cast_a, django_capture_on_commit_callbacks, mailoutbox
):
    today = timezone.localdate()
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
        m = member(cast_a, charter, cast_a.organisation)
        sent = member(cast_a, charter)
        reporting_round = open_round(cast_a, charter, due_on=today + timedelta(days=3))
        send_return(cast_a, reporting_round, sent, {"ANC-APPRENTICESHIPS": "3"}, accept=False)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.return_reminders_send(tenant=cast_a.tenant) == 1
            assert services.return_reminders_send(tenant=cast_a.tenant) == 0
        assert [x.to for x in mailoutbox] == [[cast_a.organisation_admin.email]]
        assert mailoutbox[0].subject.startswith("Reminder: your 2023/24 H1 return is due by")
        # Four days on: the return is a day overdue.
        type(reporting_round).objects.filter(pk=reporting_round.pk).update(
            due_on=today - timedelta(days=1)
        )
        MemberReturn.objects.filter(last_reminded_on=today).update(
            last_reminded_on=today - timedelta(days=4)
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert services.return_reminders_send(tenant=cast_a.tenant) == 1
            assert services.return_reminders_send(tenant=cast_a.tenant) == 0
        assert return_of(reporting_round, m.signatory).last_reminded_on == today
    # The beat task's per-tenant task runs in the tenant's context by itself.
    assert send_return_reminders(str(cast_a.tenant.id)) == 0


def test_a_manual_reminder_before_the_window_does_not_stop_the_due_soon_reminder(
    cast_a, django_capture_on_commit_callbacks, mailoutbox
):
    today = timezone.localdate()
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
        m = member(cast_a, charter, cast_a.organisation)
        reporting_round = open_round(cast_a, charter, due_on=today + timedelta(days=24))
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                services.round_reminders_send(
                    **as_user(cast_a, cast_a.tenant_admin), reporting_round=reporting_round
                )
                == 1
            )
            # Not yet in the due-soon window.
            assert services.return_reminders_send(tenant=cast_a.tenant) == 0
        # Three weeks on: the return is due in three days, reminded by hand 21 days ago.
        type(reporting_round).objects.filter(pk=reporting_round.pk).update(
            due_on=today + timedelta(days=3)
        )
        MemberReturn.objects.filter(pk=return_of(reporting_round, m.signatory).pk).update(
            last_reminded_on=today - timedelta(days=21)
        )
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert services.return_reminders_send(tenant=cast_a.tenant) == 1
            assert services.return_reminders_send(tenant=cast_a.tenant) == 0
        assert [x.to for x in mailoutbox] == [[cast_a.organisation_admin.email]]
        assert return_of(reporting_round, m.signatory).last_reminded_on == today


def _kvi_figure(cast_a):
    """A return whose apprenticeships figure is taken from the member's KVI."""
    charter = anchor_charter(cast_a)
    m = member(cast_a, charter, cast_a.organisation)
    member_return = return_of(open_round(cast_a, charter), m.signatory)
    metric = charter.anchor_metrics.get(metric__code="ANC-APPRENTICESHIPS").metric
    kvi = kvi_services.kvi_create(
        **as_user(cast_a, cast_a.tenant_admin),
        organisation=cast_a.organisation,
        data=kvi_services.KviInput(
            code="APP", title="Apprenticeships", metric=metric, frequency="quarterly"
        ),
    )
    measurement = kvi_services.measurement_record(
        **as_user(cast_a, m.admin), kvi=kvi, period=date(2023, 4, 1), value=D(5)
    )
    kvi_services.measurement_submit(**as_user(cast_a, m.admin), measurement=measurement)
    (figure,) = services.return_figures_from_kvis(
        **as_user(cast_a, m.admin), member_return=member_return
    )
    return m, member_return, figure


def test_a_kvi_figure_keeps_its_measurement_when_only_its_note_changes(cast_a):
    with tenant_context(cast_a.tenant.id):
        m, member_return, figure = _kvi_figure(cast_a)
        measurement = figure.measurement
        assert measurement is not None
        services.return_save(
            **as_user(cast_a, m.admin),
            member_return=member_return,
            figures=[
                services.FigureInput(
                    "ANC-APPRENTICESHIPS", "5", "count", note="Checked", source="kvi"
                )
            ],
        )
        figure.refresh_from_db()
        assert (figure.source, figure.note, figure.measurement) == ("kvi", "Checked", measurement)
        # A changed value is no longer the KVI's: the link goes.
        services.return_save(
            **as_user(cast_a, m.admin),
            member_return=member_return,
            figures=[services.FigureInput("ANC-APPRENTICESHIPS", "6", "count", note="Checked")],
        )
        figure.refresh_from_db()
        assert (figure.value, figure.source, figure.measurement) == (D(6), "entered", None)


def test_figures_can_be_taken_from_the_members_kvis(cast_a):
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
        m = member(cast_a, charter, cast_a.organisation)
        member_return = return_of(open_round(cast_a, charter), m.signatory)
        admin = as_user(cast_a, cast_a.tenant_admin)
        metric = charter.anchor_metrics.get(metric__code="ANC-APPRENTICESHIPS").metric
        kvi = kvi_services.kvi_create(
            **admin,
            organisation=cast_a.organisation,
            data=kvi_services.KviInput(
                code="APP", title="Apprenticeships", metric=metric, frequency="quarterly"
            ),
        )
        for period, value in ((date(2023, 4, 1), 5), (date(2023, 7, 1), 7), (date(2023, 10, 1), 9)):
            measurement = kvi_services.measurement_record(
                **as_user(cast_a, m.admin), kvi=kvi, period=period, value=D(value)
            )
            kvi_services.measurement_submit(**as_user(cast_a, m.admin), measurement=measurement)
        made = services.return_figures_from_kvis(
            **as_user(cast_a, m.admin), member_return=member_return
        )
        assert [(f.value, f.source, f.unit) for f in made] == [(D(12), "kvi", "count")]
        assert made[0].measurement.period == date(2023, 7, 1)


def test_a_member_that_joins_after_the_round_opened_gets_a_return(cast_a):
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        charter = anchor_charter(cast_a)
        member(cast_a, charter, cast_a.organisation)
        reporting_round = open_round(cast_a, charter)
        late_joiner = member(cast_a, charter)
        assert not MemberReturn.objects.filter(signatory=late_joiner.signatory).exists()
        assert services.round_returns_add_missing(**admin, reporting_round=reporting_round) == 1
        assert services.round_returns_add_missing(**admin, reporting_round=reporting_round) == 0
        assert return_of(reporting_round, late_joiner.signatory).status == ReturnStatus.NOT_STARTED
