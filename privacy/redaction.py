"""Redaction of personal data before text goes to the model or into logs.

Emails, phone numbers (strictly: an international ``+`` number, or a 10-11 digit national
number written with separators; plain digit runs, dates and anything labelled as an order,
invoice or tracking number are left alone), card numbers (Luhn checksum) and IBANs (mod-97
checksum) become placeholders such as ``<EMAIL_7f3a>``. The suffix is a keyed hash of the
ticket and the value: the same value gets the same placeholder in every turn, prompt and
summary of a ticket, with no mapping to store, and different tickets get different ones.
The stored transcript keeps the original text; the model's reply has placeholders that it
repeats turned back into the values before anyone sees it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
)
CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
PHONE = re.compile(r"(?<![\w@/#.-])(?:\+|\(\+?)?\d[\d\s().-]{6,18}\d(?![\w@/-])")
DATE = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$")
LABELLED_ID = re.compile(
    r"(?:(?:order|invoice|inv|ref|reference|tracking|case|ticket|serial|sku|account|id)"
    r"(?:\s*(?:no\.?|number|num|id|#))?|#)[\s.:#-]*$",
    re.I,
)
PLACEHOLDER = re.compile(r"<(?:EMAIL|PHONE|CARD|IBAN)_[0-9a-f]{4}>")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(candidate: str) -> bool:
    iban = candidate.replace(" ", "")
    if not 15 <= len(iban) <= 34:
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def phone_ok(candidate: str, before: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if DATE.match(candidate.strip()) or LABELLED_ID.search(before[-24:]):
        return False
    if candidate.lstrip("(").startswith("+"):
        return 8 <= len(digits) <= 15
    has_separator = bool(re.search(r"[\s().-]", candidate))
    national = len(digits) == 10 or (len(digits) == 11 and digits[0] in "01")
    return has_separator and national


@dataclass
class Redactor:
    """Redacts for one ticket; remembers what it replaced so replies can be restored."""

    scope: str
    secret: bytes = b"ticket-assistant-redaction"
    seen: dict[str, str] = field(default_factory=dict)  # placeholder -> original

    def _placeholder(self, kind: str, value: str) -> str:
        mac = hmac.new(self.secret, f"{self.scope}|{kind}|{value.lower()}".encode(), hashlib.sha256)
        tag = f"<{kind}_{mac.hexdigest()[:4]}>"
        self.seen[tag] = value
        return tag

    def text(self, text: str) -> str:
        text = EMAIL.sub(lambda m: self._placeholder("EMAIL", m.group(0)), text)
        text = IBAN.sub(lambda m: self._checked(m, "IBAN", iban_ok(m.group(0))), text)
        text = CARD.sub(
            lambda m: self._checked(m, "CARD", luhn_ok(re.sub(r"\D", "", m.group(0)))), text
        )
        return PHONE.sub(
            lambda m: self._checked(m, "PHONE", phone_ok(m.group(0), m.string[: m.start()])), text
        )

    def _checked(self, match: re.Match[str], kind: str, valid: bool) -> str:
        return self._placeholder(kind, match.group(0)) if valid else match.group(0)

    def restorer(self) -> Restorer:
        return Restorer(dict(self.seen))


class Restorer:
    """Turns placeholders in a streamed reply back into the values, across chunk borders."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping
        self._pending = ""

    def _swap(self, text: str) -> str:
        return PLACEHOLDER.sub(lambda m: self.mapping.get(m.group(0), m.group(0)), text)

    def feed(self, delta: str) -> str:
        text = self._pending + delta
        cut = text.rfind("<")
        if cut != -1 and ">" not in text[cut:] and len(text) - cut <= 12:
            self._pending, text = text[cut:], text[:cut]  # maybe the start of a placeholder
        else:
            self._pending = ""
        return self._swap(text)

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return self._swap(text)

    def restore(self, chunks: Iterable[str]) -> str:
        return "".join(self.feed(c) for c in chunks) + self.flush()


class RedactingFilter(logging.Filter):
    """Installed on the log handlers: personal data never reaches the logs."""

    def __init__(self) -> None:
        super().__init__()
        self.redactor = Redactor("logs")

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor.text(record.getMessage())
        record.args = ()
        self.redactor.seen.clear()
        return True


def install_log_redaction(*loggers: logging.Logger) -> None:
    """Add the filter to every handler of the given loggers (the root logger by default)."""
    for logger in loggers or (logging.getLogger(),):
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())
