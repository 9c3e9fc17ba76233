"""Password hashing with argon2id, and the password policy."""

from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["PASSWORD_HASH_TIME_COST"],
        memory_cost=config["PASSWORD_HASH_MEMORY_KIB"],
        parallelism=config["PASSWORD_HASH_PARALLELISM"],
        type=Type.ID,
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no stored hash, still spend the time a check takes."""
    hasher = _hasher()
    if not password_hash:
        hasher.hash(password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


# The password policy (ASVS 5.0 V6.2): a length range and a list of common passwords, no
# composition rules. Long passphrases are welcome; the upper bound only keeps hashing cheap.
MIN_LENGTH = 8
MAX_LENGTH = 256
PRODUCT_WORDS = ("salescms", "sales cms")


@cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords of public breach corpora, lower case.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _letters_and_digits(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def password_problem(password: str, *, email: str = "", names: tuple[str, ...] = ()) -> str | None:
    """Why `password` is refused, or None; `email` and `names` are the account's own words."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters; a few words make a good password."
    if len(password) > MAX_LENGTH:
        return f"Use no more than {MAX_LENGTH} characters."
    if {password.casefold(), password.strip().casefold()} & _common_passwords():
        return "This password is one of the most common ones. Please choose another."
    plain = _letters_and_digits(password)
    local_part = email.partition("@")[0]
    own_words = {_letters_and_digits(word) for word in (email, local_part, *names,
                                                         *PRODUCT_WORDS)}
    if plain in own_words - {""}:
        return "Do not use your name, your email address or the name of this site."
    return None
