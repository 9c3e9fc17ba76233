"""What a person's profile shows: their details and relationships."""

from webapp import access
from webapp.extensions import db
from webapp.models import User
from webapp.pagination import paginate

BUYERS_PER_PAGE = 20


def profile_context(user: User, buyers_page: int = 1) -> dict:
    context = {"person": user}
    if user.is_account_manager:
        context["coordinator_links"] = db.session.execute(
            access.sales_coordinator_links(user)).all()
        context["buyer_links"] = paginate(access.buyer_links(user), buyers_page,
                                          BUYERS_PER_PAGE, rows=True)
    if user.is_sales_coordinator:
        context["account_manager_links"] = db.session.execute(
            access.account_manager_links(user)).all()
    return context
