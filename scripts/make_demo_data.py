#!/usr/bin/env python3
"""Writes Lathe's demo data into pipelines/data/ — every sentence generated here, no third-party text.

    python3 scripts/make_demo_data.py            # same bytes every time (seeded)

Four sets, sized so a tiny model shows each method's effect in minutes:
  general.txt, general-test.txt     English-like prose about villages, trades and weather (pre-training)
  glassvine.txt, glassvine-test.txt a fictional field, glassvine horticulture: species and their facts
  glassvine-qa.jsonl, -qa-test.jsonl Alpaca Q&A about those facts; the test split asks about
                                    (species, attribute) pairs never asked in training
  reviews.jsonl, reviews-test.jsonl labelled sentiment of reviews of fictional workshop tools
  glassvine-chat.jsonl, -chat-test.jsonl  two-turn conversations (OpenAI `messages`): a system message,
                                    the keeper's notes on one species with a question, a follow-up
                                    question; answers are the facts alone. The test split's last
                                    question asks the held-out (species, attribute) pairs of -qa-test.
"""
import json
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pipelines", "data")

# ---------------------------------------------------------------- general prose
PEOPLE = ["the miller", "the baker", "a weaver", "the old smith", "a young shepherd", "the ferryman", "my aunt",
          "the potter", "a tired carter", "the schoolmaster", "the fisherman", "a travelling tinker", "the innkeeper",
          "the carpenter", "a quiet clerk", "the midwife", "the cooper", "a wandering fiddler"]
PLACES = ["the market", "the mill", "the river", "the north road", "the chapel", "the harbour", "the orchard",
          "the square", "the bridge", "the forge", "the long meadow", "the granary", "the hill farm", "the quay"]
THINGS = ["bread", "a basket of apples", "rope", "wool", "a clay jug", "nails", "salt", "a letter", "barley",
          "lamp oil", "a new saddle", "cheese", "timber", "a bolt of linen", "honey", "a copper kettle"]
VERBS = ["carried", "sold", "bought", "mended", "brought", "traded", "hid", "found", "packed", "weighed"]
WEATHER = ["The rain came early", "A cold wind blew from the sea", "The morning was bright and still",
           "Fog lay on the fields", "Snow fell through the night", "The sun was hot by noon",
           "Clouds gathered over the hills", "A warm breeze moved the reeds"]
CONNECT = ["Later", "After that", "Before dusk", "At first light", "By evening", "Soon", "That winter", "Next spring"]
FEEL = ["glad", "worried", "patient", "proud", "weary", "curious", "cheerful", "restless"]


def general_sentence(r):
    kind = r.randrange(5)
    if kind == 0:
        return f"{r.choice(WEATHER)}, and {r.choice(PEOPLE)} went to {r.choice(PLACES)}."
    if kind == 1:
        return f"{r.choice(PEOPLE).capitalize()} {r.choice(VERBS)} {r.choice(THINGS)} at {r.choice(PLACES)}."
    if kind == 2:
        return f"{r.choice(CONNECT)}, {r.choice(PEOPLE)} was {r.choice(FEEL)} and walked to {r.choice(PLACES)}."
    if kind == 3:
        return f"People said that {r.choice(PEOPLE)} had {r.choice(VERBS)} {r.choice(THINGS)} for {r.choice(PEOPLE)}."
    return f"{r.choice(PEOPLE).capitalize()} asked {r.choice(PEOPLE)} about {r.choice(THINGS)}, but nobody knew."


def paragraphs(r, count, sentence, lo=3, hi=7):
    return [" ".join(sentence(r) for _ in range(r.randint(lo, hi))) for _ in range(count)]


# ---------------------------------------------------------------- the glassvine domain
SPECIES = ["amberlace", "blue dunmere", "cinder braid", "dewglass", "emberwick", "frostpane", "greyhollow",
           "halcyon twist", "ironbell", "juniper glint", "kestrel fan", "lantern moss", "mirrorleaf", "nightspire",
           "opal creeper", "pale corona", "quill runner", "rosewhorl", "silver tassel", "thornglass",
           "umber veil", "violet lattice", "willowshard", "yellow prism"]
ATTRIBUTES = {
    "soil": ["chalk", "river silt", "peat", "sand", "clay", "volcanic grit", "loam", "crushed shale"],
    "bloom": ["early spring", "late spring", "midsummer", "late summer", "early autumn", "first frost"],
    "colour": ["amber", "cobalt", "rose", "silver", "green", "violet", "gold", "white"],
    "pest": ["glass mites", "ash beetles", "veil moths", "root weevils", "sap flies", "shard snails"],
    "cure": ["nettle wash", "cold smoke", "copper dust", "ash water", "garlic oil", "pine tar"],
}
QUESTIONS = {
    "soil": "What soil does {s} need?",
    "bloom": "When does {s} bloom?",
    "colour": "What colour is the glass of {s}?",
    "pest": "Which pest attacks {s}?",
    "cure": "How do growers treat {s} when it is sick?",
}
FACT_SENTENCES = {
    "soil": ["{S} grows best in {v}.", "Growers plant {s} in {v}.", "A bed of {v} suits {s}."],
    "bloom": ["{S} blooms in {v}.", "The flowers of {s} open in {v}.", "In {v}, {s} comes into bloom."],
    "colour": ["The glass of {s} is {v}.", "{S} forms {v} glass.", "Its glass makes {s} shine {v}."],
    "pest": ["{S} is attacked by {v}.", "The worst pest of {s} is {v}.", "Watch {s} for {v}."],
    "cure": ["A sick {s} is treated with {v}.", "Growers cure {s} with {v}.", "{V} heals {s}."],
}
GLASS_FILLER = ["Glassvine keepers prune in the evening, when the stems are soft.",
                "A glassvine stem hardens to glass as it ages.",
                "Keepers water glassvine from below so the glass stays clear.",
                "Old glassvine rings like a bell when the wind moves it.",
                "The guild of keepers records every graft in a ledger.",
                "Young glassvine is green until its first bloom."]


def facts(r):
    table = {}
    for s in SPECIES:
        table[s] = {a: r.choice(vals) for a, vals in ATTRIBUTES.items()}
    return table


def fact_sentence(r, s, a, v):
    t = r.choice(FACT_SENTENCES[a])
    return t.format(s=s, S=s[0].upper() + s[1:], v=v, V=v[0].upper() + v[1:])


def domain_paragraph(r, table):
    s = r.choice(SPECIES)
    attrs = r.sample(list(ATTRIBUTES), r.randint(2, 4))
    body = [fact_sentence(r, s, a, table[s][a]) for a in attrs]
    if r.random() < 0.5:
        body.insert(r.randrange(len(body) + 1), r.choice(GLASS_FILLER))
    return " ".join(body)


# ---------------------------------------------------------------- reviews
TOOLS = ["spokeshave", "drawknife", "bench plane", "mallet", "gouge", "marking gauge", "coping saw", "auger",
         "froe", "rasp", "chisel set", "lathe tool rest"]
GOOD = ["holds an edge for weeks", "feels balanced in the hand", "cut clean on the first try",
        "was worth every coin", "arrived sharp and true", "made the work a pleasure", "is built to last"]
BAD = ["dulled after one afternoon", "has a wobbly handle", "cracked in the first week", "was a waste of money",
       "arrived bent", "tears the grain badly", "rusted almost at once"]
OPEN = ["This {t}", "The {t} I bought", "My new {t}", "The {t} from the fair"]


def review(r):
    positive = r.random() < 0.5
    phrases = r.sample(GOOD if positive else BAD, 2)
    text = f"{r.choice(OPEN).format(t=r.choice(TOOLS))} {phrases[0]} and {phrases[1]}."
    return text, "positive" if positive else "negative"


def write(name, lines):
    with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="\n") as f:
        f.write(lines)


def jsonl(records):
    return "".join(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n" for rec in records)


def main():
    os.makedirs(OUT, exist_ok=True)
    r = random.Random(20261125)
    write("general.txt", "\n\n".join(paragraphs(r, 1600, general_sentence)) + "\n")
    write("general-test.txt", "\n\n".join(paragraphs(r, 120, general_sentence)) + "\n")

    table = facts(r)
    write("glassvine.txt", "\n\n".join(domain_paragraph(r, table) for _ in range(2600)) + "\n")
    write("glassvine-test.txt", "\n\n".join(domain_paragraph(r, table) for _ in range(150)) + "\n")

    pairs = [(s, a) for s in SPECIES for a in ATTRIBUTES]
    r.shuffle(pairs)
    held_out = set(pairs[: len(pairs) // 5])

    def qa(s, a):
        return {"instruction": QUESTIONS[a].format(s=s), "input": "", "output": table[s][a]}

    train = [qa(s, a) for (s, a) in pairs if (s, a) not in held_out]
    test = [qa(s, a) for (s, a) in sorted(held_out)]
    write("glassvine-qa.jsonl", jsonl(train))
    write("glassvine-qa-test.jsonl", jsonl(test))

    instruction = "Is this review of a workshop tool positive or negative?"
    reviews = [review(r) for _ in range(700)]
    recs = [{"instruction": instruction, "input": t, "output": label} for t, label in reviews]
    write("reviews.jsonl", jsonl(recs[:600]))
    write("reviews-test.jsonl", jsonl(recs[600:]))

    # a second generator, so the files above keep their bytes
    c = random.Random(20261203)
    train_pairs = [(s, a) for (s, a) in pairs if (s, a) not in held_out]
    conversations = []
    for s in SPECIES:
        asked = [a for (t, a) in train_pairs if t == s]
        for _ in range(6):
            first, second = c.sample(asked, 2)
            conversations.append(chat(c, table, s, first, second))
    c.shuffle(conversations)
    write("glassvine-chat.jsonl", jsonl(conversations))
    tests = []
    for (s, a) in sorted(held_out):
        others = [b for b in ATTRIBUTES if b != a]
        tests.append(chat(c, table, s, c.choice(others), a))
    write("glassvine-chat-test.jsonl", jsonl(tests))


CHAT_SYSTEM = "You are a glassvine keeper's assistant. Answer from the notes with the fact alone."


def chat(r, table, s, first, second):
    """One conversation about species s: notes holding both asked facts and one more, two questions."""
    extra = r.choice([a for a in ATTRIBUTES if a not in (first, second)])
    attrs = [first, second, extra]
    r.shuffle(attrs)
    notes = " ".join(fact_sentence(r, s, a, table[s][a]) for a in attrs)
    return {"messages": [
        {"role": "system", "content": CHAT_SYSTEM},
        {"role": "user", "content": f"Notes: {notes}\n\n{QUESTIONS[first].format(s=s)}"},
        {"role": "assistant", "content": table[s][first]},
        {"role": "user", "content": QUESTIONS[second].format(s=s)},
        {"role": "assistant", "content": table[s][second]},
    ]}


if __name__ == "__main__":
    main()
