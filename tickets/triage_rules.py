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
    "es": "el la los las y es no mi un una para con por que se de del pero está mis ha lo al muy a",
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
    "urgently",
    "asap",
    "immediately",
    "right now",
    "freezing",
    "unacceptable",
    "doppelt abgebucht",
    "zweimal abgebucht",
    "dringend",
    "sofort",
    "nicht mehr in mein konto",
    "inakzeptabel",
    "débité deux fois",
    "urgence",
    "immédiatement",
    "inacceptable",
    "cobrado dos veces",
    "urgente",
    "inmediatamente",
    "inaceptable",
    "addebitato due volte",
    "inaccettabile",
    "dubbel afgeschreven",
    "onacceptabel",
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
    "could you send",
    "can i connect",
    "feedback",
    "wie kann ich",
    "kurze frage",
    "ist es möglich",
    "comment puis-je",
    "est-il possible",
    "petite question",
    "cómo puedo",
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
    "still no",
    "never again",
    "fed up",
    "horrible",
    "complaint",
    "not happy",
    "unhappy",
    "broken",
    "leaks",
    "leaking",
    "damaged",
    "cracked",
    "dangerous",
    "charged twice",
    "never arrived",
    "never comes",
    "nothing is at",
    "locked out",
    "freezing",
    "drops off",
    "inakzeptabel",
    "enttäuscht",
    "ärgerlich",
    "unverschämt",
    "kaputt",
    "tropft",
    "abgebucht",
    "komme nicht",
    "inacceptable",
    "déçu",
    "déçue",
    "scandaleux",
    "cassé",
    "fuit",
    "jamais reçu",
    "débité",
    "inaceptable",
    "decepcionado",
    "decepcionada",
    "roto",
    "rota",
    "no ha llegado",
    "cobrado",
    "deluso",
    "rotto",
    "perde",
    "onacceptabel",
    "teleurgesteld",
    "kapot",
    "niet bezorgd",
    *URGENT,
)
POSITIVE = (
    "great",
    "love",
    "happy",
    "appreciate",
    "excellent",
    "perfect",
    "perfectly",
    "fantastic",
    "wonderful",
    "awesome",
    "amazing",
    "super",
    "toll",
    "génial",
    "parfait",
    "parfaitement",
    "genial",
    "perfecto",
    "fantastico",
    "geweldig",
    "ótimo",
)
THANKS = (  # polite closings count half: "... please delete my data. Thanks." is no praise
    "thanks",
    "thank you",
    "danke",
    "vielen dank",
    "merci",
    "gracias",
    "grazie",
    "bedankt",
    "obrigado",
    "obrigada",
)
_LABEL_PHRASES = {
    "refund": "refund|money back|reimburse|erstattung|rückerstattung|erstatten|geld zurück|"
    "remboursement|rembourser|remboursez|reembolso|rimborso|terugbetaling",
    "return": "return|returned|send back|send it back|returning|retour|zurücksenden|"
    "rücksendung|zurückschicken|renvoyer|devolver|devolverlo|devolución|reso|restituire|"
    "retourneren|devolução",
    "shipping": "delivery|delivered|shipping|tracking|parcel|package|courier|shipped|"
    "lieferung|paket|versand|sendung|sendungsverfolgung|livraison|colis|suivi|envío|entrega|"
    "paquete|seguimiento|no ha llegado|spedizione|pacco|consegna|levering|pakket|bezorgd|"
    "encomenda",
    "damaged": "damaged|broken|cracked|dented|smashed|leaking|leaks|beschädigt|kaputt|"
    "zerbrochen|tropft|cassé|endommagé|abîmé|fuit|roto|rota|dañado|rotto|danneggiato|perde|"
    "kapot|beschadigd|danificado|quebrado",
    "warranty": "warranty|guarantee|garantie|gewährleistung|garantía|garanzia",
    "billing": "invoice|charged|charge|payment|vat|bill|billing|receipt|rechnung|abgebucht|"
    "zahlung|facture|débité|paiement|factura|cobrado|pago|fattura|addebitato|factuur|fatura",
    "account": "account|password|login|log in|sign in|konto|passwort|anmelden|compte|"
    "mot de passe|cuenta|contraseña|wachtwoord|conta|senha",
    "kettle": "kettle|kt-200|wasserkocher|bouilloire|hervidor|bollitore|waterkoker|chaleira",
    "thermostat": "thermostat|th-300|termostato|thermostaat",
    "robovac": "robot vacuum|rv-10|vacuum|saugroboter|staubsauger|aspirateur|aspiradora|"
    "robotstofzuiger|aspirapolvere|aspirador",
    "safety": "|".join(URGENT),
}
_LABEL_CUES = {label: tuple(_LABEL_PHRASES[label].split("|")) for label in LABELS}


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower().replace("’", "'")


def words(text: str) -> list[str]:
    """Words, with a hyphenated or elided word also in its parts ("l'aspirateur",
    "remboursez-moi"); product codes stay whole too ("kt-200")."""
    found: list[str] = []
    for word in _WORD.findall(_norm(text)):
        found.append(word)
        parts = [p for p in re.split(r"['-]", word) if p]
        if len(parts) > 1:
            found += parts
    return found


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
    negative = float(_has(text, NEGATIVE))
    positive = _has(text, POSITIVE) + 0.5 * _has(text, THANKS)
    if "!!" in text or re.search(r"\b[A-Z]{5,}\b", text):
        negative += 1
    if negative > 0 and negative >= positive:
        return "negative"
    return "positive" if positive >= 1 else "neutral"


ACTION_LABELS = ("refund", "return", "damaged", "safety")


def priority(text: str) -> Priority:
    if _has(text, URGENT):
        return Priority.URGENT
    if _has(text, HIGH):
        return Priority.HIGH
    mood = sentiment(text)
    asks = _has(text, LOW) or mood == "positive"
    if asks and mood != "negative" and not set(labels(text)) & set(ACTION_LABELS):
        return Priority.LOW
    return Priority.NORMAL


def labels(text: str) -> tuple[str, ...]:
    padded = f" {' '.join(words(text))} "
    found = [label for label in LABELS if any(f" {cue} " in padded for cue in _LABEL_CUES[label])]
    return tuple(found[:4])


def suggest(subject: str, text: str) -> Suggestion:
    whole = f"{subject}\n{text}"
    return Suggestion(priority(whole), sentiment(whole), language(whole), labels(whole))
