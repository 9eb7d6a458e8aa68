"""Ages, as the law counts them: pure functions, no database."""

from __future__ import annotations

from datetime import date

# Below this age a parent or guardian may exercise a child's data rights for them (GDPR art. 8's upper bound).
PARENTAL_CONSENT_AGE = 16


def age_on(birth_date: date, today: date) -> int:
    """Whole years completed on `today`. Someone born on 29 February turns a year older on 1 March."""
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (1 if before_birthday else 0)


def is_under(birth_date: date | None, age: int, today: date) -> bool:
    """Whether someone is known to be younger than `age`; an unknown birth date is never "under"."""
    return birth_date is not None and age_on(birth_date, today) < age


def latest_birth_date_under(age: int, today: date) -> date:
    """The latest birth date of someone who is `age` or older on `today`: anyone born after it is under `age`.

    The same line `is_under` draws, as a date a query can compare with. On 29 February, in a year `age` years
    back that has none, the line is 28 February (someone born on 1 March that year is still under `age`).
    """
    try:
        return today.replace(year=today.year - age)
    except ValueError:
        return date(today.year - age, 2, 28)
