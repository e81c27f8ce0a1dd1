"""Cases built through the services, step by step, with dates that keep every rule."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.conftest import make_person
from dangjian.development import services
from dangjian.platform import idcard

D = dt.date
VOTE_OK = {"entitled": 9, "present": 8, "yes": 7, "no": 1, "abstain": 0}

# A schedule that keeps every national rule (all in the past of the test clock).
DATES = {
    1: D(2022, 3, 1),
    2: D(2022, 3, 20),
    3: D(2022, 6, 1),
    4: D(2022, 6, 10),
    5: D(2022, 6, 15),
    6: D(2022, 12, 1),
    7: D(2023, 6, 20),
    8: D(2023, 6, 25),
    9: D(2023, 7, 1),
    10: D(2023, 8, 1),
    11: D(2023, 8, 10),
    12: D(2023, 9, 1),
    13: D(2023, 9, 10),
    14: D(2023, 9, 15),
    15: D(2023, 10, 10),
    16: D(2023, 10, 20),
    17: D(2023, 11, 20),
    18: D(2023, 12, 1),
    19: D(2023, 12, 5),
    20: D(2023, 12, 10),
    21: D(2024, 6, 1),
    22: D(2024, 9, 20),
    23: D(2024, 10, 12),
    24: D(2024, 11, 1),
    25: D(2024, 11, 10),
}


def pdf(name="材料.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")


_adult = iter(range(1, 10**6))


def applicant(cast, name="周小青"):
    """An adult employee without membership (make_person's birth dates wrap into the 2000s
    in long runs, which would make the applicant too young for the 2022 schedule)."""
    person = make_person(name, cast.city.east_area)
    n = next(_adult)
    birth = dt.date(1985, 1, 1) + dt.timedelta(days=n % 3000)
    person.birth_date = birth
    person.id_number = idcard.make("360103", birth, n % 999)
    person.gender = idcard.parse(person.id_number)[1]
    person.save()
    return person


def open_case(cast, actor=None, person=None, on=None):
    return services.case_open(
        actor=actor or cast.secretary,
        person=person or applicant(cast),
        branch=cast.city.east_branch,
        applied_on=on or DATES[1],
        attachments=[("application_letter", pdf("入党申请书.pdf"))],
    )


def extra_for(number, cast):
    if number in (10, 13, 17, 24):
        return {"passed": True}
    if number == 11:
        return {"training_days": 3}
    if number in (15, 23):
        data = {"vote": dict(VOTE_OK)}
        if number == 23:
            data["outcome"] = "full"
        return data
    return {}


def prepare(case, number, cast):
    """What must exist before ``number``: contacts, notices."""
    if number == 5:
        services.contact_add(
            actor=cast.secretary,
            case=case,
            role="mentor",
            person=cast.people.member,
            named_on=DATES[5],
        )
    if number == 9:
        for p in (cast.people.member, cast.people.secretary):
            services.contact_add(
                actor=cast.secretary, case=case, role="sponsor", person=p, named_on=DATES[9]
            )
    if number in (7, 15):
        services.notice_publish(
            actor=cast.secretary,
            case=case,
            before_step=number,
            starts_on=DATES[number] - dt.timedelta(days=14),
        )


def walk(case, cast, upto, start=2, actor=None):
    """Record steps ``start``..``upto`` with the DATES schedule."""
    for number in range(start, upto + 1):
        prepare(case, number, cast)
        services.step_record(
            actor=actor or cast.office,
            case=case,
            number=number,
            occurred_on=DATES[number],
            **extra_for(number, cast),
        )
        case.refresh_from_db()
    return case
