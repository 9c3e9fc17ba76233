"""What a person's profile shows (their details and relationships), and what they change
on it themselves: name, phone, job title and which emails they receive."""

from sqlalchemy.orm import joinedload, lazyload, selectinload

from webapp import access
from webapp.extensions import db
from webapp.models import User
from webapp.services import DomainError
from webapp.services.catalogue import InvalidFields
from webapp.web.pagination import paginate

BUYERS_PER_PAGE = 20
# What the relationship tables show of each person, loaded with them rather than per row;
# their roles, which the tables do not show, are not loaded.
PEOPLE_SHOWN = (selectinload(User.territories), joinedload(User.company), lazyload(User.roles))


def profile_context(user: User, buyers_page: int = 1) -> dict:
    context = {"person": user}
    if user.is_account_manager:
        context["coordinator_links"] = db.session.execute(
            access.sales_coordinator_links(user).options(*PEOPLE_SHOWN)).all()
        context["buyer_links"] = paginate(access.buyer_links(user).options(*PEOPLE_SHOWN),
                                          buyers_page, BUYERS_PER_PAGE, total_with_rows=True)
    if user.is_sales_coordinator:
        context["account_manager_links"] = db.session.execute(
            access.account_manager_links(user).options(*PEOPLE_SHOWN)).all()
    return context


def buyers_block(context: dict) -> str | None:
    """The block an htmx request pages through: the buyers, which only an AM's profile has.

    Without it, an htmx request gets the whole page rather than a block with nothing in it.
    """
    return "buyers" if "buyer_links" in context else None


# The lengths the users table holds.
NAME_LENGTH, JOB_TITLE_LENGTH, PHONE_LENGTH = 100, 120, 40


def update_own_profile(user: User, *, first_name: str, last_name: str, job_title: str = "",
                       phone: str = "", notify_registrations: bool = True,
                       notify_meeting_changes: bool = True) -> User:
    """A user's own changes to their profile. Email, roles and relationships stay with
    administrators. Only internal users receive the emails the preferences are about, so a
    buyer's are left as they are."""
    first_name, last_name = first_name.strip(), last_name.strip()
    job_title, phone = job_title.strip(), phone.strip()
    problems = []
    for field, value, label in (("first_name", first_name, "first name"),
                                ("last_name", last_name, "last name")):
        if not value:
            problems.append(DomainError(f"Enter your {label}.", field=field))
        elif len(value) > NAME_LENGTH:
            problems.append(DomainError(f"Your {label} is too long (at most {NAME_LENGTH} "
                                        "characters).", field=field))
    if len(job_title) > JOB_TITLE_LENGTH:
        problems.append(DomainError(f"The job title is too long (at most {JOB_TITLE_LENGTH} "
                                    "characters).", field="job_title"))
    if len(phone) > PHONE_LENGTH:
        problems.append(DomainError(f"The phone number is too long (at most {PHONE_LENGTH} "
                                    "characters).", field="phone"))
    if problems:
        raise InvalidFields(problems)
    user.first_name, user.last_name, user.job_title, user.phone = (
        first_name, last_name, job_title, phone)
    if user.is_internal:
        user.notify_registrations = notify_registrations
        user.notify_meeting_changes = notify_meeting_changes
    db.session.flush()
    return user


def wants_meeting_changes(people: list[User]) -> list[User]:
    """Of the people a meeting change would email, those who receive it: buyers always
    (their invitation is the meeting), staff only if they chose to."""
    return [p for p in people if not p.is_internal or p.notify_meeting_changes]
