"""Deterministic triage: the path that never fails (no model, no network).

Language from function words, sentiment and priority from cue words, labels from keywords,
in the seven languages the triage knows. Used for every field the model does not answer
validly; measured on its own by ``python -m bench.triage``.
"""

from __future__ import annotations

import re
import unicodedata

from tickets.domain import Priority
from tickets.triage import LABELS, Sentiment, Suggestion

_WORD = re.compile(r"[a-z0-9äöüßàâçéèêëîïôûùüÿñáíóúœ'-]+")
FUNCTION_WORDS = {
    "en": "the and is it my i you to of a in for was not have this with but can be what",
    "de": "der die das und ist ich nicht mein meine ein eine mit es sie zu auf für wurde habe "
    "bitte ist wie kann",
    "fr": "le la les et est je ne pas mon ma un une des pour avec il elle a été de du que "
    "vous mais",
    "es": "el la los las y es no mi un una para con por que se de del pero está mis ha",
    "it": "il lo la gli le e è non mio mia un una per con che di del sono ho ma",
    "nl": "de het een en is ik niet mijn met voor dat van op te zijn heb maar",
    "pt": "o a os as e é não meu minha um uma para com que de do da mas foi está",
}
_FUNCTION = {lang: set(words.split()) for lang, words in FUNCTION_WORDS.items()}

URGENT = (
    "smoke",
    "fire",
    "burning",
    "burnt",
    "sparks",
    "sparking",
    "electric shock",
    "shocked me",
    "melted",
    "melting",
    "flames",
    "rauch",
    "feuer",
    "brennt",
    "funken",
    "stromschlag",
    "fumée",
    "feu",
    "brûlé",
    "étincelles",
    "humo",
    "fuego",
    "chispas",
    "quemado",
    "fumo",
    "scintille",
    "rook",
    "brand",
    "vonken",
    "fumaça",
)
HIGH = (
    "charged twice",
    "double charge",
    "charged two",
    "fraud",
    "locked out",
    "can't log in",
    "cannot log in",
    "urgent",
    "asap",
    "immediately",
    "right now",
    "no heating",
    "freezing",
    "doppelt abgebucht",
    "zweimal abgebucht",
    "dringend",
    "sofort",
    "gesperrt",
    "débité deux fois",
    "urgence",
    "urgent",
    "immédiatement",
    "cobrado dos veces",
    "urgente",
    "inmediatamente",
    "addebitato due volte",
    "dubbel afgeschreven",
    "cobrado duas vezes",
)
LOW = (
    "how do i",
    "how can i",
    "is it possible",
    "just wondering",
    "question about",
    "quick question",
    "do you offer",
    "can i change",
    "copy of my invoice",
    "feedback",
    "suggestion",
    "wie kann ich",
    "kurze frage",
    "ist es möglich",
    "comment puis-je",
    "est-il possible",
    "petite question",
    "¿cómo puedo",
    "cómo puedo",
    "pregunta",
    "come posso",
    "hoe kan ik",
    "como posso",
)
NEGATIVE = (
    "unacceptable",
    "terrible",
    "awful",
    "worst",
    "disappointed",
    "disappointing",
    "angry",
    "furious",
    "ridiculous",
    "frustrated",
    "frustrating",
    "useless",
    "still not",
    "again",
    "never again",
    "fed up",
    "disgusted",
    "scam",
    "horrible",
    "complaint",
    "not happy",
    "unhappy",
    "broken",
    "leaks",
    "damaged",
    "inakzeptabel",
    "enttäuscht",
    "ärgerlich",
    "unverschämt",
    "schon wieder",
    "frechheit",
    "kaputt",
    "inacceptable",
    "déçu",
    "déçue",
    "furieux",
    "scandaleux",
    "encore",
    "cassé",
    "inaceptable",
    "decepcionado",
    "decepcionada",
    "harto",
    "otra vez",
    "roto",
    "vergogna",
    "inaccettabile",
    "deluso",
    "rotto",
    "onacceptabel",
    "teleurgesteld",
    "kapot",
    "inaceitável",
    "decepcionado",
)
POSITIVE = (
    "thank you",
    "thanks",
    "great",
    "love",
    "happy",
    "appreciate",
    "excellent",
    "perfect",
    "wonderful",
    "awesome",
    "amazing",
    "danke",
    "vielen dank",
    "super",
    "toll",
    "merci",
    "génial",
    "parfait",
    "gracias",
    "genial",
    "perfecto",
    "grazie",
    "bedankt",
    "obrigado",
    "obrigada",
)
_LABEL_WORDS = {
    "refund": "refund money back reimburse erstattung rückerstattung geld zurück remboursement "
    "rembourser reembolso rimborso terugbetaling reembolso",
    "return": "return send back returning retour zurücksenden rücksendung zurückschicken "
    "renvoyer devolver devolución reso restituire retourneren devolução",
    "shipping": "delivery shipping tracking parcel package courier shipped lieferung paket "
    "versand sendung livraison colis envío entrega paquete spedizione pacco consegna "
    "levering pakket entrega encomenda",
    "damaged": "damaged broken cracked dented smashed beschädigt kaputt zerbrochen cassé "
    "endommagé abîmé roto dañado rotto danneggiato kapot beschadigd danificado quebrado",
    "warranty": "warranty guarantee garantie gewährleistung garantía garanzia",
    "billing": "invoice charged charge payment vat bill billing receipt rechnung abgebucht "
    "zahlung facture débité paiement factura cobrado pago fattura addebitato factuur "
    "fatura",
    "account": "account password login sign-in konto passwort anmelden compte "
    "mot de passe cuenta contraseña account wachtwoord conta senha",
    "kettle": "kettle kt-200 wasserkocher bouilloire hervidor bollitore waterkoker chaleira",
    "thermostat": "thermostat th-300 termostato thermostaat",
    "robovac": "robot vacuum rv-10 vacuum saugroboter staubsauger aspirateur aspiradora "
    "robotstofzuiger aspirapolvere aspirador",
    "safety": " ".join(cue for cue in URGENT if " " not in cue),
}


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower().replace("’", "'")


def words(text: str) -> list[str]:
    return _WORD.findall(_norm(text))


def language(text: str) -> str:
    """The language whose function words occur most (English when nothing is clear)."""
    found = words(text)
    scores = {lang: sum(w in common for w in found) for lang, common in _FUNCTION.items()}
    best = max(scores, key=lambda lang: (scores[lang], lang == "en"))
    return best if scores[best] > 0 else "en"


def _has(text: str, cues: tuple[str, ...]) -> int:
    padded = f" {' '.join(words(text))} "
    return sum(f" {cue} " in padded for cue in cues)


def sentiment(text: str) -> Sentiment:
    negative, positive = _has(text, NEGATIVE), _has(text, POSITIVE)
    if "!!" in text or re.search(r"\b[A-Z]{5,}\b", text):
        negative += 1
    if negative > positive:
        return "negative"
    return "positive" if positive > negative else "neutral"


def priority(text: str) -> Priority:
    if _has(text, URGENT):
        return Priority.URGENT
    if _has(text, HIGH):
        return Priority.HIGH
    if _has(text, LOW) and not _has(text, NEGATIVE):
        return Priority.LOW
    return Priority.NORMAL


def labels(text: str) -> tuple[str, ...]:
    padded = f" {' '.join(words(text))} "
    found = [
        label
        for label in LABELS
        if any(f" {word} " in padded for word in _LABEL_WORDS[label].split())
        or any(f" {phrase} " in padded for phrase in _phrases(label))
    ]
    return tuple(found[:4])


def _phrases(label: str) -> tuple[str, ...]:
    return {
        "refund": ("money back", "geld zurück"),
        "return": ("send back", "send it back"),
        "account": ("mot de passe", "sign in", "log in"),
        "robovac": ("robot vacuum",),
        "safety": tuple(p for p in URGENT if " " in p),
    }.get(label, ())


def suggest(subject: str, text: str) -> Suggestion:
    whole = f"{subject}\n{text}"
    return Suggestion(priority(whole), sentiment(whole), language(whole), labels(whole))
