"""Buyer registrations: applying on the website, notifying the right people, deciding."""

from datetime import UTC, datetime
from difflib import SequenceMatcher

from sqlalchemy import select, true, union
from sqlalchemy.exc import IntegrityError

from webapp import access
from webapp.extensions import db
from webapp.mail.service import absolute_url, queue_email
from webapp.models import (
    Company,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    RoleKind,
    User,
    UserStatus,
)
from webapp.services import DomainError, distributor
from webapp.services.accounts import find_by_email, normalise_email, set_password
from webapp.services.places import find_or_create_named
from webapp.services.row_locks import lock
from webapp.services.users import builtin_role
from webapp.times import as_utc


def register(*, first_name: str, last_name: str, email: str, password: str, company_name: str,
             job_title: str, phone: str, territory, region=None, account_manager=None,
             marketing_consent: bool = False) -> Registration | None:
    """Record an application as a pending buyer and tell those who decide on it.

    If the email already has an account, nothing is created: the owner of the address is
    emailed instead, so the form never reveals which addresses have accounts. That includes
    an account another request is creating at this moment (another form sent with the same
    address): its insert waits for that one and is answered the same way.
    """
    existing = find_by_email(email)
    if existing is None:
        user = User(email=normalise_email(email), first_name=first_name.strip(),
                    last_name=last_name.strip(), job_title=job_title.strip(),
                    phone=phone.strip(), status=UserStatus.PENDING,
                    roles=[builtin_role(RoleKind.BUYER)], territories=[territory],
                    region=region, account_manager=account_manager)
        set_password(user, password)
        registration = Registration(user=user, company_name=" ".join(company_name.split()),
                                    territory=territory, region=region,
                                    requested_account_manager=account_manager,
                                    marketing_consent=marketing_consent)
        registration.events.append(RegistrationEvent(actor=user, action="submitted"))
        try:
            with db.session.begin_nested():
                db.session.add(registration)
        except IntegrityError:
            existing = find_by_email(email)
            if existing is None:
                raise
    if existing is not None:
        queue_email(existing.email, "account_exists",
                f"Your {distributor.current().name} account",
                    person=existing, login_url=absolute_url("auth.login"))
        return None
    _notify(registration)
    queue_email(user.email, "registration_received", "We have received your application",
                registration=registration)
    return registration


def _notify(registration: Registration) -> None:
    """One email to each person who should hear of the application."""
    review_url = absolute_url("approvals.review", applicant_id=registration.user_id)
    applicant = registration.user
    subject = f"New registration: {applicant.full_name}, {registration.company_name}"
    recipients = access.registration_recipients(applicant).where(
        User.notify_registrations == true())  # as each chose on their profile
    for person in db.session.scalars(recipients):
        queue_email(person.email, "registration_notice", subject, person=person,
                    registration=registration, review_url=review_url)


# How many of the nearest companies by trigrams (PostgreSQL) are compared closely.
NEAREST_COMPANIES = 20
# How alike two company names must be (difflib's ratio) to be called a near match.
NEAR_MATCH = 0.75


def similar_companies(name: str, limit: int = 3) -> list[Company]:
    """Existing companies whose name resembles `name` (for a near-match warning): a close
    spelling, or one name containing the other."""
    key = " ".join(name.split()).casefold()
    if len(key) < 3:
        return []
    scored = []
    for company in db.session.scalars(_similar_company_candidates(key)):
        matcher = SequenceMatcher(None, key, company.name_key)
        contained = key in company.name_key or company.name_key in key
        # The quick ratios are upper bounds of the ratio: below the bar, it is not worked out.
        if not contained and (matcher.real_quick_ratio() < NEAR_MATCH
                              or matcher.quick_ratio() < NEAR_MATCH):
            continue
        ratio = matcher.ratio()
        if ratio >= NEAR_MATCH or contained:
            scored.append((ratio, company))
    scored.sort(key=lambda pair: -pair[0])
    return [company for _, company in scored[:limit]]


def _similar_company_candidates(key: str):
    """The companies worth comparing with `key`. On PostgreSQL a few, found by index: the
    nearest by trigrams, those whose name contains `key`, and those named by a run of
    whole words of `key`. Elsewhere (SQLite, small databases) every company."""
    if db.session.get_bind().dialect.name != "postgresql":
        return select(Company)
    nearest = (select(Company.id).order_by(Company.name_key.op("<->")(key))
               .limit(NEAREST_COMPANIES))
    containing = (select(Company.id).where(Company.name_key.contains(key, autoescape=True))
                  .limit(NEAREST_COMPANIES))
    words = key.split()[:12]
    phrases = {" ".join(words[start:end])
               for start in range(len(words)) for end in range(start + 1, len(words) + 1)}
    contained = select(Company.id).where(Company.name_key.in_(phrases))
    return select(Company).where(Company.id.in_(union(nearest, containing, contained)))


def company_for(company_id: int | None, new_name: str | None) -> Company:
    """The company chosen in a review: an existing one, or one created from `new_name`
    (an existing company with that exact name is used rather than duplicated, even one
    created by another review a moment ago)."""
    if company_id:
        company = db.session.get(Company, company_id)
        if company is None:
            raise DomainError("That company no longer exists. Choose another.", field="company")
        return company
    name = " ".join((new_name or "").split())
    if not name:
        raise DomainError("Choose a company or type the name of a new one.", field="company")
    return find_or_create_named(Company, name)


def _describe(user: User) -> dict[str, str]:
    return {
        "Company": user.company.name if user.company else "—",
        "Account Manager": user.account_manager.full_name if user.account_manager else "—",
        "Territories": ", ".join(t.name for t in user.territories) or "—",
        "Region": user.region.name if user.region else "—",
        "Status": user.status,
    }


def _changes(before: dict[str, str], after: dict[str, str]) -> str:
    return "\n".join(f"{key}: {before[key]} → {after[key]}"
                     for key in before if before[key] != after[key])


def _decide(registration: Registration, by: User, status: RegistrationStatus, action: str,
            before: dict[str, str], reason: str | None = None) -> None:
    registration.status = status
    registration.decided_at = datetime.now(UTC)
    registration.decided_by = by
    registration.rejection_reason = reason
    changes = _changes(before, _describe(registration.user))
    if reason:
        changes = f"{changes}\nReason: {reason}".strip()
    registration.events.append(RegistrationEvent(actor=by, action=action, changes=changes))
    db.session.flush()


def latest_event_id(registration: Registration) -> int:
    """What a review page was drawn from: the id of the registration's latest event. A
    decision posted from that page carries it, so one made meanwhile is not overridden."""
    return max((event.id for event in registration.events), default=0)


def _lock_for_decision(registration: Registration, seen: int | None) -> None:
    """Hold the registration until the decision is committed, and refuse if it was decided
    since the reviewer's page showed it (`seen`, from latest_event_id): a second click, a
    second tab or a retried request then decides nothing and emails nobody."""
    lock(registration)
    decided_since = (seen is not None and registration.decided_at is not None
                     and latest_event_id(registration) != seen)
    if registration.status == RegistrationStatus.APPROVED or decided_since:
        decider = registration.decided_by.full_name if registration.decided_by else (
            "a former user")
        raise DomainError(f"This application has already been {registration.status} by "
                          f"{decider} ({as_utc(registration.decided_at):%d %b %Y, %H:%M} UTC).")


def approve(registration: Registration, *, by: User, company_id: int | None = None,
            company_name: str | None = None, account_manager=None, territories=(),
            region=None, seen: int | None = None) -> None:
    """Approve: the applicant becomes an active buyer of the company chosen (company_for) and
    is emailed a login link. `seen` as for _lock_for_decision."""
    _lock_for_decision(registration, seen)
    if not territories:
        raise DomainError("Choose at least one territory.", field="territories")
    if account_manager is not None and not account_manager.is_account_manager:
        raise DomainError("Choose a user who holds the Account Manager role.",
                          field="account_manager")
    company = company_for(company_id, company_name)
    user = registration.user
    before = _describe(user)
    user.company, user.account_manager, user.region = company, account_manager, region
    user.territories = list(territories)
    user.status = UserStatus.ACTIVE
    _decide(registration, by, RegistrationStatus.APPROVED, "approved", before)
    queue_email(user.email, "registration_approved",
                f"Your {distributor.current().name} account is ready",
                person=user, login_url=absolute_url("auth.login"))


def reject(registration: Registration, *, by: User, reason: str,
           seen: int | None = None) -> None:
    """Reject with a reason the applicant is told. A rejected application can be approved
    later. `seen` as for _lock_for_decision."""
    _lock_for_decision(registration, seen)
    reason = reason.strip()
    if not reason:
        raise DomainError("Give the applicant a reason.", field="reason")
    user = registration.user
    before = _describe(user)
    user.status = UserStatus.REJECTED
    _decide(registration, by, RegistrationStatus.REJECTED, "rejected", before, reason)
    queue_email(user.email, "registration_rejected",
                f"Your {distributor.current().name} application",
                person=user, reason=reason)
