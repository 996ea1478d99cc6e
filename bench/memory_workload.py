"""The memory benchmark's conversation: a support ticket of 30-120-word messages with varied
vocabulary, 20 identifiers planted in the middle of sentences at turns 4-80, each referred
to again later (without its value), and decoys that look like codes (``HDMI-2``, ``10:30``).

A turn is one message; the customer speaks on odd turns, the assistant on even ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

DEVICES = (
    "kettle",
    "thermostat",
    "router",
    "robot vacuum",
    "dishwasher",
    "coffee machine",
    "smart plug",
    "doorbell camera",
    "air purifier",
    "heater",
    "blender",
    "washing machine",
)
PARTS = (
    "lid",
    "power cable",
    "display",
    "water tank",
    "filter",
    "hinge",
    "base station",
    "charging dock",
    "control panel",
    "drum",
    "seal",
    "remote",
    "wall bracket",
    "fan",
)
SYMPTOMS = (
    "makes a grinding noise",
    "switches itself off",
    "leaks from underneath",
    "drops off the wifi",
    "shows a blinking red light",
    "smells of burnt plastic",
    "gets very hot",
    "freezes on the start screen",
    "stops halfway through",
    "loses its settings overnight",
    "vibrates loudly",
    "does not respond to the app",
)
TIMES = (
    "yesterday morning",
    "last weekend",
    "since the update",
    "every other day",
    "after about ten minutes",
    "twice this week",
    "late in the evening",
    "on Sunday",
    "right after unpacking it",
    "when the kids use it",
    "during the night",
)
PEOPLE = ("my partner", "my neighbour", "our cleaner", "my daughter", "the electrician")
CUSTOMER = (
    "The {device} {symptom} {time}, and honestly I am getting tired of it.",
    "I followed the troubleshooting guide step by step but the {part} still {symptom}.",
    "{person} had a look at the {part} and could not see anything obviously broken.",
    "We tried unplugging everything for a full minute, which did not change a thing.",
    "It is frustrating because we bought it specifically for the {room} and it sits unused.",
    "Could you tell me whether this counts as a warranty repair or a replacement?",
    "I would prefer a replacement over a repair, since the {part} looks fragile anyway.",
    "The manual mentions a reset button near the {part}, but mine does not have one.",
    "I noticed a small crack near the {part} when I cleaned it {time}.",
    "The app keeps asking me to update although the {device} says it is current.",
    "My old {device} from another brand lasted eight years without a single problem.",
    "Is there a technician in my area, or do I have to send it back by courier?",
    "We are away from the ninth to the sixteenth, so a visit would have to be after that.",
    "I attached two photos of the {part}; the marks are visible near the edge.",
    "The cable is plugged into an HDMI-2 port on the hub, if that matters at all.",
    "It worked fine at 10:30 but by lunchtime the {device} {symptom} again.",
    "The battery shows 50% even after charging overnight, which seems odd to me.",
)
ASSISTANT = (
    "Thank you for the details about the {part}; that helps narrow it down.",
    "I am sorry the {device} {symptom}, that is not how it should behave.",
    "Could you check whether the {part} clicks firmly into place when you close it?",
    "Please try holding the power button for fifteen seconds, then wait two minutes.",
    "If the problem continues, a replacement under warranty is usually the quickest route.",
    "I will pass the photos to our repair team so they can judge the damage.",
    "A technician visit can be arranged once we have confirmed the fault.",
    "Our records show the {device} firmware is current, so the update prompt is a display bug.",
    "We will send you a prepaid label so the {device} can be collected from your home.",
    "Please keep the original packaging if you still have it, it protects the {part}.",
    "I have added a note for the agent who handles replacements in your region.",
    "Could you tell me roughly how often it happens, for example daily or weekly?",
    "Thanks for your patience while we work through this together.",
    "The file export uses UTF-8, so the special characters in your name are kept.",
)
ROOMS = ("kitchen", "living room", "guest room", "office", "bathroom", "nursery")


@dataclass(frozen=True)
class Planted:
    turn: int  # the customer turn that mentions it (4-80)
    sentence: str  # said in the middle of the message
    value: str  # what must be in the prompt (a placeholder when the redactor hides it)
    reference_turn: int  # a later customer turn that asks about it without repeating it
    redacted: bool = False


PLANTED_SENTENCES = (
    ("Just so you have it, my order number is 48213 from the online shop.", "48213", False),
    ("The invoice INV/2024/0042 is the one with the wrong address on it.", "INV/2024/0042", False),
    ("The app itself says it is on v2.3.1 if that helps.", "v2.3.1", False),
    (
        "Refunds can go to DE89 3704 0044 0532 0130 00, my current account.",
        "DE89 3704 0044 0532 0130 00",
        True,
    ),
    ("The courier can call me on +44 20 7946 0958 before coming.", "+44 20 7946 0958", True),
    (
        "The spare filter came with Amazon order 112-7654321-1234567 last spring.",
        "112-7654321-1234567",
        False,
    ),
    ("All in all it cost 1.299,00 € including the extended warranty.", "1.299,00 €", False),
    ("It was delivered on 12.03.2024, so it is well within the warranty.", "12.03.2024", False),
    ("I paid with the Visa card ending 4242 for the whole order.", "ending 4242", False),
    ("Your portal shows me as cus_8f7a6b2c when I log in.", "cus_8f7a6b2c", False),
    ("Please send anything physical to SW1A 1AA, that is our office.", "SW1A 1AA", False),
    ("The second unit is under ord-39945 in the app, in lower case.", "ord-39945", False),
    ("The accessory was billed on Invoice 2024-0042 separately.", "2024-0042", False),
    (
        "Updates should go to ada.l@example.org rather than my work address.",
        "ada.l@example.org",
        True,
    ),
    ("Your colleague already gave me RMA 7781 for the first unit.", "7781", False),
    (
        "The first unit went back with UPS 1Z999AA10123456784 last month.",
        "1Z999AA10123456784",
        False,
    ),
    ("The serial on the back says SN-77X1-0042 under the sticker.", "SN-77X1-0042", False),
    ("The model is the KTL-2000X, the brushed steel one.", "KTL-2000X", False),
    ("The repair shop wanted $189.00 just to open it.", "$189.00", False),
    ("This is now case 01234567 according to your phone support.", "01234567", False),
)
REFERENCE = (
    "Going back to the details I gave you earlier in this conversation, is there any news? "
    "I would rather not repeat everything again."
)


class Workload:
    def __init__(self, seed: int = 11, turns: int = 1000) -> None:
        self.rng = random.Random(seed)
        self.turns = turns
        rng = random.Random(seed + 1)
        self.planted: list[Planted] = []
        for i, (sentence, value, redacted) in enumerate(PLANTED_SENTENCES):
            turn = (5 + (74 * i) // 19) | 1  # odd (customer) turns from 5 to 79
            reference = rng.randrange(turn + 20, turns - 1) | 1  # a later customer turn
            self.planted.append(Planted(turn, sentence, value, reference, redacted))
        self.by_turn = {p.turn: p for p in self.planted}
        self.references: dict[int, list[Planted]] = {}
        for p in self.planted:
            self.references.setdefault(p.reference_turn, []).append(p)

    def _fill(self, template: str) -> str:
        return template.format(
            device=self.rng.choice(DEVICES),
            part=self.rng.choice(PARTS),
            symptom=self.rng.choice(SYMPTOMS),
            time=self.rng.choice(TIMES),
            person=self.rng.choice(PEOPLE).capitalize(),
            room=self.rng.choice(ROOMS),
        )

    def message(self, turn: int) -> str:
        """The text of turn ``turn`` (1-based): 30-120 words."""
        customer = turn % 2 == 1
        target = self.rng.randint(30, 120)
        sentences: list[str] = []
        words = 0
        while words < target:
            sentence = self._fill(self.rng.choice(CUSTOMER if customer else ASSISTANT))
            sentences.append(sentence)
            words += len(sentence.split())
        if customer and turn in self.by_turn:  # planted in the middle of the message
            sentences.insert(len(sentences) // 2, self.by_turn[turn].sentence)
        if customer and turn in self.references:
            sentences.insert(0, REFERENCE)
        return " ".join(sentences)
