"""Pinned facts: identifiers extracted deterministically from every folded message and kept
verbatim in the checkpoint, so a fact from turn 3 is still in the prompt at turn 1,000
whatever the model's summary kept.

Each fact is ``kind: value`` with the value exactly as written. Kinds: order, invoice, case,
rma, tracking, serial, product, version, customer, amount, date, postcode, and the personal
data the redactor hides (email, phone, iban, card). Labelled numbers ("order number is
48213", "RMA 7781") are found by their label; unlabelled ones by their written form
(``ORD-48213``, ``INV/2024/0042``, ``1Z999AA10123456784``, ``v2.3.1``). Technical tokens
that look like codes (``HDMI-2``, ``UTF-8``, ``ISO-9001``) are not facts.

Pinned facts and redaction: facts are extracted from the stored text (the originals,
encrypted at rest with the checkpoint) and pass the redactor with the rest of the prompt,
so the model sees ``email: <EMAIL_7f3a>`` and the customer sees the value restored in the
reply. E-mails, phones, IBANs and card numbers are found with the redactor's own patterns
and checksums, so every such fact reaches the model as a placeholder. A card's last four
digits ("card ending 4242") are kept as written: they are not a card number (PCI DSS
allows showing them) and the agent needs them to find the payment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from privacy.redaction import CARD, EMAIL, IBAN, PHONE, iban_ok, luhn_ok, phone_ok

# -- building blocks ------------------------------------------------------------------------

# an identifier: letters and digits joined by - / _ . (never ending on a separator)
_TOKEN = r"[A-Za-z0-9](?:[A-Za-z0-9]|[-/_.'](?=[A-Za-z0-9]))*"  # noqa: S105 (a pattern)
# what may stand between a label and its value: "number is", "no.", "#", "id:", "ref"
_GLUE = (
    r"(?:\s+(?:on|in|from|of)\s+(?:the|my|your|this)\s+\w+)?"  # "SKU on the box is"
    r"(?:\s+(?:numbers|number|no\.?|nr\.?|num|id|ID|code|reference|ref|holder|#))?"
    r"(?:\s*(?:is|was|says|reads|shows|:|=|-)(?=\s|#|$))?\s*[:#]?\s*"
)
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_NUMBER = r"\d{1,3}(?:[,.'\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_SYMBOL = r"(?:US|A|C|NZ|HK|R|S)\$|[$€£¥₹₩₽]|kr\.?|zł|Fr\.?"
_CODE = r"USD|EUR|GBP|CHF|CAD|AUD|JPY|INR|SEK|NOK|DKK|PLN|BRL|MXN|CNY|ZAR"
_CURRENCY_WORD = r"dollars?|euros?|bucks|cents?"
# prefixes of technical names that look like codes: standards, interfaces, encodings
_TECHNICAL_NAMES = (
    "iso iec ieee rfc en din ansi astm ip ipx ddr ddr4 ddr5 pcie usb hdmi utf covid sars "
    "mpeg aes sha rsa cve gdpr wpa wpa2 wpa3 lte dvb atsc h mp cat"
)
TECHNICAL = frozenset(_TECHNICAL_NAMES.split(" "))


def _labelled(labels: str, value: str = _TOKEN) -> re.Pattern[str]:
    return re.compile(rf"(?i)\b(?:{labels}){_GLUE}(?P<v>{value})")


def _digits(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


def _an_id(value: str) -> bool:
    """A labelled value that is an identifier: enough digits, and not just a year."""
    if re.fullmatch(r"#?(?:19|20)\d\d", value):
        return False
    digits = _digits(value)
    return digits >= 3 or (digits >= 1 and len(value) >= 5 and not value.isalpha())


def _code(value: str) -> bool:
    """An unlabelled product code, not a technical name (``HDMI-2``, ``ISO-9001``)."""
    prefix = re.split(r"[-\d]", value, maxsplit=1)[0].casefold()
    return _digits(value) >= 3 and prefix not in TECHNICAL


def _date_ok(value: str) -> bool:
    parts = re.split(r"[./-]", value)
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return True  # a named month: the pattern is strict enough
    a, b, c = (int(p) for p in parts)
    if len(parts[0]) == 4:
        return 1 <= b <= 12 and 1 <= c <= 31
    return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)


Check = Callable[[re.Match[str]], bool]
Rule = tuple[str, re.Pattern[str], Check]


def _always(match: re.Match[str]) -> bool:
    return True


def _value(match: re.Match[str]) -> str:
    return match.group("v") if "v" in match.re.groupindex else match.group(0)


def _labelled_id(match: re.Match[str]) -> bool:
    return _an_id(_value(match))


# -- the rules, in order: an earlier rule's span wins over a later one's -------------------

RULES: tuple[Rule, ...] = (
    # personal data, exactly as the redactor finds it (so it always reaches the model hidden)
    ("email", EMAIL, _always),
    ("iban", IBAN, lambda m: iban_ok(m.group(0))),
    ("card", CARD, lambda m: luhn_ok(re.sub(r"\D", "", m.group(0)))),
    (
        "card",
        re.compile(
            r"(?i)\b(?:card|visa|mastercard|amex|debit|credit)\b[\w ]{0,20}?\b"
            r"(?P<v>(?:ending|ends)(?: in| with)?:? \d{4})\b"
        ),
        _always,
    ),
    ("phone", PHONE, lambda m: phone_ok(m.group(0), m.string[: m.start()])),
    # labelled identifiers
    ("rma", _labelled(r"RMA|return authori[sz]ation"), _labelled_id),
    ("invoice", _labelled(r"invoices?|bill"), _labelled_id),
    ("order", _labelled(r"orders?|purchase order|PO"), _labelled_id),
    ("case", _labelled(r"case|ticket|incident|complaint"), _labelled_id),
    (
        "tracking",
        _labelled(
            r"tracking|track(?:ing)? (?:number|no\.?|id|code)|waybill|AWB|consignment"
            r"|shipment(?: id)?|parcel(?: tracking)?",
            r"\d{4}(?: \d{4}){3,5}(?: \d{2})?|" + _TOKEN,
        ),
        _labelled_id,
    ),
    ("serial", _labelled(r"serial|S/N|SN"), _labelled_id),
    ("customer", _labelled(r"customer|account|member|client|user"), _labelled_id),
    ("product", _labelled(r"model|SKU|part|item|product|article"), _labelled_id),
    ("reference", re.compile(r"(?<![\w#])#(?P<v>\d{4,})\b"), _always),  # a bare "#302118"
    (
        "postcode",
        _labelled(r"zip|zip code|postcode|post code|postal code|PLZ", r"\d{4,5}"),
        _always,
    ),
    # identifiers by their written form
    ("order", re.compile(r"\b\d{3}-\d{7}-\d{7}\b"), _always),  # Amazon
    ("order", re.compile(r"(?i)\b(?:ORD|ORDER|SO|PO)[-_]?\d{3,}(?:-[A-Z0-9]+)*\b"), _always),
    ("invoice", re.compile(r"(?i)\bINV[-/_]?\d[\w]*(?:[-/]\w+)*"), _always),
    ("case", re.compile(r"\b(?:CS|CAS|CASE|INC|TKT)[-_]?\d{3,}\b"), _always),
    ("rma", re.compile(r"\bRMA[-_#]?\d[\w-]*\b"), _always),
    (
        "tracking",
        re.compile(r"\b1Z[0-9A-Z]{16}\b|\bTBA\d{12}\b|\bJD\d{18}\b|\b[A-Z]{2}\d{9}GB\b"),
        _always,
    ),
    ("serial", re.compile(r"\bSN[-:]?[A-Z0-9]{2,}(?:-[A-Z0-9]+)+\b"), _always),
    (
        "customer",
        re.compile(r"\bcus_[A-Za-z0-9]{6,}\b|\b(?:ACC|ACCT|CUST|CID)[-_]?\d{3,}\b"),
        _always,
    ),
    ("version", re.compile(r"(?i)\bv\d+(?:\.\d+){1,3}(?:-[a-z0-9.]+)?\b"), _always),
    (
        "version",
        re.compile(
            r"(?i)\b(?:version|firmware(?: version)?|fw|build|release)\s+"
            r"(?:(?:is|was|shows|says|reads)\s+)?(?:(?:at|now)\s+)?v?"
            r"(?P<v>\d+(?:\.\d+){1,3}(?:-[a-z0-9.]+)?)\b"
        ),
        _always,
    ),
    (
        "date",
        re.compile(
            r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})\b"
            rf"|\b{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?\b"
            rf"|\b\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{_MONTH},? \d{{4}}\b"
            rf"|\b(?:Jan(?:uary)?|Feb(?:ruary)?|March|April|June|July|Aug(?:ust)?"
            rf"|Sept(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?) \d{{4}}\b"
        ),
        lambda m: _date_ok(m.group(0)),
    ),
    (
        "amount",
        re.compile(
            rf"(?:(?<![\w$])(?:{_SYMBOL})\s?(?:{_NUMBER})(?![\d])"
            rf"|\b(?:{_CODE})\s?(?:{_NUMBER})(?![\d])"
            rf"|\b(?:{_NUMBER})\s?(?:(?:{_SYMBOL})(?!\w)|(?:{_CODE}|{_CURRENCY_WORD})\b))"
        ),
        _always,
    ),
    (
        "postcode",
        re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b|\b[A-Z]\d[A-Z] \d[A-Z]\d\b"),
        _always,
    ),
    (
        "product",
        re.compile(r"\b[A-Z][A-Z0-9]*[A-Z]-?\d[A-Z0-9]*(?:-[A-Z0-9]+)*\b"),
        lambda m: _code(m.group(0)),
    ),
)
KINDS = tuple(dict.fromkeys(kind for kind, _, _ in RULES))


def find_facts(text: str) -> list[tuple[str, str]]:
    """``(kind, value)`` in order of appearance."""
    found: list[tuple[int, str, str]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern, check in RULES:
        for match in pattern.finditer(text):
            span = match.span("v") if "v" in pattern.groupindex else match.span()
            whole = match.span()
            if any(whole[0] < end and start < whole[1] for start, end in taken):
                continue  # part of an earlier, more specific finding
            if not check(match):
                continue
            taken.append(span)
            found.append((span[0], kind, text[span[0] : span[1]].strip()))
    return [(kind, value) for _, kind, value in sorted(found)]


def extract_facts(text: str) -> list[str]:
    """Facts in order of appearance, each as ``kind: value``."""
    return [f"{kind}: {value}" for kind, value in find_facts(text)]


def _key(fact: str) -> str:
    return fact.casefold()


def merge_facts(
    existing: Sequence[str], new_texts: Iterable[str], limit: int
) -> tuple[tuple[str, ...], int]:
    """Add facts from ``new_texts``, deduplicated, keeping at most ``limit``.

    Over the limit, the middle goes: the first facts (the problem's anchors: the order,
    the account) and the newest are kept. Returns the facts and how many were dropped.
    """
    facts = list(existing)
    seen = {_key(f) for f in facts}
    for text in new_texts:
        for fact in extract_facts(text):
            if _key(fact) not in seen:
                seen.add(_key(fact))
                facts.append(fact)
    if len(facts) <= limit:
        return tuple(facts), 0
    head = limit // 2
    kept = facts[:head] + facts[len(facts) - (limit - head) :]
    return tuple(kept), len(facts) - limit
