"""The domain's tables. Import models from here."""

from sqlalchemy import DDL, event

from webapp.extensions import db
from webapp.models.access import AccessGrant, BuyerGroup, buyer_group_members
from webapp.models.activity import (
    DAY_COLUMNS,
    PROGRAMME_DAY_COLUMNS,
    ActivityDay,
    ActivityEvent,
    ActivityProgrammeDay,
    ActivityTotalDay,
    EmailSource,
    EventKind,
)
from webapp.models.catalogue import (
    PROGRAMME_TYPES,
    Episode,
    Genre,
    Programme,
    Season,
    programme_genres,
)
from webapp.models.form_tokens import FormToken
from webapp.models.imports import CatalogueImport
from webapp.models.lists import (
    LinkEventKind,
    ListItem,
    ListKind,
    ListShare,
    ProgrammeList,
    ShareLinkEvent,
)
from webapp.models.meetings import (
    AppliedChange,
    InvitationState,
    Meeting,
    MeetingInvitation,
    MeetingStatus,
    MeetingSummarySend,
    meeting_attendees,
)
from webapp.models.outbox import OutboxMessage, OutboxStatus
from webapp.models.people import (
    Role,
    RoleKind,
    RolePermission,
    User,
    UserStatus,
    account_manager_coordinators,
    acting_text,
    person_name,
    user_roles,
    user_territories,
)
from webapp.models.places import Company, Region, Territory, company_territories
from webapp.models.registrations import Registration, RegistrationEvent, RegistrationStatus
from webapp.models.second_factor import (
    KnownBrowser,
    Passkey,
    RecoveryCode,
    SiteSetting,
    TotpAuthenticator,
)
from webapp.models.settings import DistributorSettings

__all__ = [
    "AccessGrant",
    "BuyerGroup",
    "buyer_group_members",
    "KnownBrowser",
    "Passkey",
    "RecoveryCode",
    "SiteSetting",
    "TotpAuthenticator",
    "DAY_COLUMNS",
    "PROGRAMME_DAY_COLUMNS",
    "ActivityDay",
    "ActivityEvent",
    "ActivityProgrammeDay",
    "ActivityTotalDay",
    "EmailSource",
    "EventKind",
    "FormToken",
    "CatalogueImport",
    "AppliedChange",
    "PROGRAMME_TYPES",
    "Episode",
    "Genre",
    "ListItem",
    "ListKind",
    "LinkEventKind",
    "ListShare",
    "ShareLinkEvent",
    "Meeting",
    "MeetingStatus",
    "MeetingSummarySend",
    "MeetingInvitation",
    "InvitationState",
    "DistributorSettings",
    "acting_text",
    "Programme",
    "ProgrammeList",
    "Season",
    "programme_genres",
    "Company",
    "OutboxMessage",
    "OutboxStatus",
    "Region",
    "Registration",
    "RegistrationEvent",
    "RegistrationStatus",
    "Role",
    "RoleKind",
    "RolePermission",
    "Territory",
    "User",
    "person_name",
    "UserStatus",
    "account_manager_coordinators",
    "company_territories",
    "meeting_attendees",
    "user_roles",
    "user_territories",
]

# The trigram indexes (searches by name, title, company) need PostgreSQL's pg_trgm extension;
# the migrations create it too.
event.listen(db.metadata, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))

# Indexes on an expression, which Alembic cannot compare with the database's.
EXPRESSION_INDEXES = {"ix_users_full_name_trgm"}


def comparable_in_autogenerate(dialect: str):
    """Alembic's include_object for comparing the models with a database of `dialect`:
    expression indexes left out, and the trigram indexes (named *_trgm, PostgreSQL only)
    everywhere but on PostgreSQL. The migrations create both."""
    def include(object_, name, type_, reflected, compare_to) -> bool:
        if type_ != "index":
            return True
        return name not in EXPRESSION_INDEXES and (
            dialect == "postgresql" or not name.endswith("_trgm"))
    return include
