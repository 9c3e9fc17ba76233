"""What a person's profile shows: their details and relationships."""

from sqlalchemy.orm import joinedload, lazyload, selectinload

from webapp import access
from webapp.extensions import db
from webapp.models import User
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
