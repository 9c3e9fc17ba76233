"""The benchmarks' second step: the codes they type are ones the server accepts, each once."""

from bench.second_factor import AuthenticatorCodes
from tests import factories as f
from webapp.services import second_factor as factors


def test_the_benchmark_gives_an_account_an_authenticator_and_types_fresh_codes(ctx):
    am = f.account_manager(email="am@bench.test")
    buyer = f.buyer(email="buyer@bench.test")
    codes = AuthenticatorCodes()
    codes.load([am.email, buyer.email, ""])
    assert factors.authenticator_of(am) is not None
    assert factors.authenticator_of(buyer) is None  # buyers sign in with a password alone
    # Two sign-ins in one 30-second step: the second types the next step's code.
    assert factors.verify_code(am, codes.code(am.email)) == "authenticator"
    assert factors.verify_code(am, codes.code(am.email)) == "authenticator"


def test_a_new_run_starts_after_the_steps_an_earlier_run_used(ctx):
    am = f.account_manager(email="am@bench.test")
    earlier = AuthenticatorCodes()
    earlier.load([am.email])
    factors.verify_code(am, earlier.code(am.email))
    later = AuthenticatorCodes()
    later.load([am.email])
    assert factors.verify_code(am, later.code(am.email)) == "authenticator"
