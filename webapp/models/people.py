"""Users, roles and the links between people."""

from datetime import UTC, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    literal,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.places import Company, Region, Territory
from webapp.permissions import PERMISSION_NAMES, Permission


class RoleKind(StrEnum):
    """The built-in roles the product's relationships are defined by."""

    ADMINISTRATOR = "administrator"
    ACCOUNT_MANAGER = "account_manager"
    SALES_COORDINATOR = "sales_coordinator"
    BUYER = "buyer"


class UserStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"


class RolePermission(db.Model):
    __tablename__ = "role_permissions"
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"),
                                         primary_key=True)
    permission: Mapped[str] = mapped_column(String(64), primary_key=True)


class Role(db.Model):
    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str | None] = mapped_column(String(32), unique=True)
    description: Mapped[str] = mapped_column(String(255), default="")

    # Read when asked for: most roles are loaded for their kind alone (is this user an AM?).
    # The signed-in user's roles come with their grants (auth_session.load_user).
    grants: Mapped[list[RolePermission]] = relationship(cascade="all, delete-orphan")

    @property
    def permissions(self) -> set[Permission]:
        if self.kind == RoleKind.ADMINISTRATOR:
            return set(Permission)
        return {Permission(g.permission) for g in self.grants if g.permission in PERMISSION_NAMES}

    def grants_permission(self, permission: Permission) -> bool:
        """Whether the role holds `permission`: `permissions` without building the set."""
        return self.kind == RoleKind.ADMINISTRATOR or any(
            g.permission == permission for g in self.grants)

    @permissions.setter
    def permissions(self, wanted):
        wanted = {Permission(p) for p in wanted}
        self.grants = [g for g in self.grants if g.permission in wanted] + [
            RolePermission(permission=p.value)
            for p in sorted(wanted - {Permission(g.permission) for g in self.grants})
        ]

    @property
    def is_builtin(self) -> bool:
        return self.kind is not None

    def __str__(self):
        return self.name


def person_name(first_name: str, last_name: str) -> str:
    """How a person's name is shown: User.full_name, also for names read without the User."""
    return f"{first_name} {last_name}".strip()


user_roles = Table(
    "user_roles",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True, index=True),
)

user_territories = Table(
    "user_territories",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("territory_id", ForeignKey("territories.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)

# The direct Account Manager <-> Sales Coordinator link (many-to-many).
account_manager_coordinators = Table(
    "account_manager_coordinators",
    db.metadata,
    Column("account_manager_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("sales_coordinator_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    job_title: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(16), default=UserStatus.ACTIVE, index=True)
    is_suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped to end every session of the user (logout, suspension, password change).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    account_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=lambda: datetime.now(UTC)
    )
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Which emails the user chose to receive (their profile): notices of new registrations,
    # and changes to meetings they take part in as staff.
    notify_registrations: Mapped[bool] = mapped_column(Boolean, default=True,
                                                       server_default=true())
    notify_meeting_changes: Mapped[bool] = mapped_column(Boolean, default=True,
                                                         server_default=true())

    roles: Mapped[list[Role]] = relationship(secondary=user_roles, lazy="selectin",
                                             order_by=Role.name)
    territories: Mapped[list[Territory]] = relationship(secondary=user_territories,
                                                        order_by=Territory.name)
    company: Mapped[Company | None] = relationship()
    region: Mapped[Region | None] = relationship()
    account_manager: Mapped["User | None"] = relationship(remote_side=[id])
    sales_coordinators: Mapped[list["User"]] = relationship(
        secondary=account_manager_coordinators,
        primaryjoin=id == account_manager_coordinators.c.account_manager_id,
        secondaryjoin=id == account_manager_coordinators.c.sales_coordinator_id,
        back_populates="coordinated_account_managers",
        order_by="User.first_name",
    )
    coordinated_account_managers: Mapped[list["User"]] = relationship(
        secondary=account_manager_coordinators,
        primaryjoin=id == account_manager_coordinators.c.sales_coordinator_id,
        secondaryjoin=id == account_manager_coordinators.c.account_manager_id,
        back_populates="sales_coordinators",
        order_by="User.first_name",
    )

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return person_name(self.first_name, self.last_name)

    # Flask-Login: the session holds id and session version, so bumping the version
    # invalidates every session the user has.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.status == UserStatus.ACTIVE and not self.is_suspended

    def can(self, permission: Permission) -> bool:
        return any(role.grants_permission(permission) for role in self.roles)

    def has_role(self, kind: RoleKind) -> bool:
        return any(role.kind == kind for role in self.roles)

    @property
    def is_admin(self) -> bool:
        return self.has_role(RoleKind.ADMINISTRATOR)

    @property
    def is_account_manager(self) -> bool:
        return self.has_role(RoleKind.ACCOUNT_MANAGER)

    @property
    def is_sales_coordinator(self) -> bool:
        return self.has_role(RoleKind.SALES_COORDINATOR)

    @property
    def is_buyer(self) -> bool:
        return self.has_role(RoleKind.BUYER)

    @property
    def is_internal(self) -> bool:
        return any(role.kind != RoleKind.BUYER for role in self.roles)

    @property
    def status_label(self) -> str:
        return "suspended" if self.is_suspended else self.status


# The user directory's order: its first page is read in index order rather than sorted.
Index("ix_users_last_name_first_name_id", User.last_name, User.first_name, User.id)
# Searches by name or email (search.matches_person: "contains", case-insensitive) look the
# matches up by trigram on PostgreSQL instead of testing every user. The name expression is
# the one matches_person searches. SQLite has no such index (nor needs one).
Index("ix_users_full_name_trgm",
      (User.first_name + literal(" ") + User.last_name).label("full_name"),
      postgresql_using="gin", postgresql_ops={"full_name": "gin_trgm_ops"}).ddl_if(
    dialect="postgresql")
Index("ix_users_email_trgm", User.email, postgresql_using="gin",
      postgresql_ops={"email": "gin_trgm_ops"}).ddl_if(dialect="postgresql")


def acting_text(actor: "User | None", acting_for: "User | None") -> str:
    """Who did something and for whom: "Sam Patel for Alice Morgan" when an SC acted for an
    Account Manager, else the one name ("" when neither is known)."""
    if actor is not None and acting_for is not None and actor.id != acting_for.id:
        return f"{actor.full_name} for {acting_for.full_name}"
    person = actor or acting_for
    return person.full_name if person is not None else ""
