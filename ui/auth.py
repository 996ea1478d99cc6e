"""The sign-in gate.

- With an ``[auth]`` section in ``.streamlit/secrets.toml``: Streamlit's ``st.login`` (OIDC).
  The identity (issuer + subject) maps to a stable user id; new users are customers and
  agents are granted by the operator (``python -m tickets grant-agent UID``).
- Without it: a clearly marked demo sign-in to pick a seeded user. The gate comes first and
  looks at the address the server actually listens on (``server.address``; empty means every
  interface): off loopback it is refused unless ``ALLOW_DEMO_LOGIN=true``. The chosen user
  lives in this browser session only (``st.session_state``), never in the URL: a copied link
  signs nobody in.
"""

from __future__ import annotations

import hashlib
import ipaddress

import streamlit as st

from config.bootstrap import Services
from tickets import rendering
from tickets.domain import Role, User
from tickets.errors import InvalidInput, NotSignedIn
from ui.runtime import auth_configured

DEMO_USER_KEY = "demo-user"  # session state: the demo user picked in this browser session
AUDITED_KEY = "signed-in-audited"  # session state: this session's sign-in is in the audit log
LEGACY_DEMO_PARAM = "demo_user"  # once read from the URL; now dropped from it, never honoured


def identity_uid(issuer: str, subject: str) -> str:
    """A stable, id-safe user id for an OIDC identity."""
    return "u-" + hashlib.sha256(f"{issuer}|{subject}".encode()).hexdigest()[:24]


def is_loopback(address: str) -> bool:
    """True only for an address that is loopback; empty (every interface) is not."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def demo_allowed(services: Services) -> bool:
    """The demo sign-in only while the server listens on loopback, or when opted in."""
    address = str(st.get_option("server.address") or "")
    return is_loopback(address) or services.settings.allow_demo_login


def sign_in(services: Services) -> User:
    """Return the signed-in user, or render the sign-in page and stop the run."""
    if auth_configured():
        return _oidc(services)
    return _demo(services)


def _oidc(services: Services) -> User:
    if not st.user.is_logged_in:
        _welcome()
        st.button("Sign in", type="primary", on_click=st.login)
        st.stop()
    info = st.user.to_dict()
    uid = identity_uid(str(info.get("iss", "")), str(info.get("sub", "")))
    name = str(info.get("name") or info.get("email") or "")
    try:
        user = services.tickets.sign_in(uid, name, str(info.get("email") or ""))
    except NotSignedIn:
        st.error("This account is disabled. Contact support.")
        st.button("Sign out", on_click=st.logout)
        st.stop()
    _audit_once(services, user, "oidc")
    return user


def _audit_once(services: Services, user: User, method: str) -> None:
    """A sign-in is audited once per browser session, not on every page run."""
    if st.session_state.get(AUDITED_KEY) != user.uid:
        services.tickets.signed_in(user, method)
        st.session_state[AUDITED_KEY] = user.uid


def _demo(services: Services) -> User:
    if LEGACY_DEMO_PARAM in st.query_params:  # an identity in a link is never honoured
        del st.query_params[LEGACY_DEMO_PARAM]
    if not demo_allowed(services):  # the gate first, before any identity is looked at
        st.session_state.pop(DEMO_USER_KEY, None)
        _welcome()
        st.error(
            "Sign-in is not configured. Add an [auth] section to .streamlit/secrets.toml "
            "(see the README), or, for a local demo only, listen on 127.0.0.1 or set "
            "ALLOW_DEMO_LOGIN=true."
        )
        st.stop()
    uid = st.session_state.get(DEMO_USER_KEY)
    signed_out = False
    if uid:
        try:  # read again on every run: a disabled account is signed out at once
            user = services.tickets.current_user(str(uid))
            _audit_once(services, user, "demo")
            return user
        except (NotSignedIn, InvalidInput):
            st.session_state.pop(DEMO_USER_KEY, None)
            signed_out = True
    _welcome()
    if signed_out:
        st.info("You were signed out (the account is disabled or gone).", icon="🔒")
    st.warning(
        "**Demo sign-in** — no password: pick a seeded user. For local trials only; "
        "configure real sign-in before anyone else can reach this server.",
        icon="🧪",
    )
    users = services.store.users.find(limit=50)
    # customers first: the picker starts on a customer, the product's first user
    ordered = sorted(
        (u for u in users if not u.disabled), key=lambda u: u.role is not Role.CUSTOMER
    )
    labels = {
        u.uid: f"{rendering.plain_line(u.display_name, 60)} · {u.role.value}" for u in ordered
    }
    if not labels:
        st.info("No users yet: run `python -m ops seed`.")
        st.stop()
    choice = st.selectbox("Sign in as", list(labels), format_func=labels.__getitem__)
    if st.button("Continue", type="primary"):
        st.session_state[DEMO_USER_KEY] = choice
        st.rerun()
    st.stop()


def sign_out() -> None:
    """Leave nothing of this user in the page."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.query_params.clear()
    if auth_configured():
        st.logout()
    st.rerun()


def _welcome() -> None:
    st.title("🎫 Ticket Assistant")
    st.caption("Support tickets with an AI assistant and a human team behind it.")
