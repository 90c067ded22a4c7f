"""Records expected outputs for wild-cases.json with Python's Jinja2 (3.1.6 here).

Run: python3 packages/jinja/conformance/record-wild.py
Cases use tagged context values that the JavaScript side (render-case.mjs) decodes the same way:
  {"$datetime": "2024-03-14T08:30:00"}   naive datetime (JS: a local-time Date)
  {"$date": "2024-03-14"}                datetime.date  (JS: PyDate)
  {"$time": "08:30:00"}                  datetime.time  (JS: PyTime)
  {"$timedelta": {"days": 1, ...}}       datetime.timedelta (JS: TimeDelta)
  {"$lt": {"name": "web", "key": 3}}     an object defining only __lt__ (by key), str() = name
  {"$ordered": {"name": "x", "key": 1}}  an object defining __lt__, __le__, __gt__, __ge__, __eq__
  {"$enum": "RED"}                       an enum.Enum member (JS: an instance of a class extending Enum)
  {"$money": 150}                        cents with __add__/__radd__/__sub__/__mul__/__neg__/__abs__/__int__/__float__/__str__/__lt__/__eq__
  {"$bag": [..]}                         a container with __getitem__/__iter__/__len__/__contains__/__bool__/__reversed__
Options beyond the corpus: "i18n": {"newstyle": bool, "catalog": {msgid: str}, "plural": {msgid: [s, p]},
"context": {"ctx\\u0004msgid": str}} installs gettext translations (an empty object: null translations).
"""
import datetime
import enum
import gettext
import json
import pathlib
import subprocess
import jinja2

HERE = pathlib.Path(__file__).resolve().parent
CASES = HERE.parent / "test" / "fixtures" / "jinja-wild-cases.json"


class Lt:
    def __init__(self, name, key):
        self.name, self.key = name, key

    def __lt__(self, other):
        return self.key < other.key

    def __str__(self):
        return self.name


class Ordered(Lt):
    def __le__(self, other):
        return self.key <= other.key

    def __gt__(self, other):
        return self.key > other.key

    def __ge__(self, other):
        return self.key >= other.key

    def __eq__(self, other):
        return isinstance(other, Ordered) and self.key == other.key

    __hash__ = object.__hash__


class Money:
    def __init__(self, cents):
        self.cents = cents

    def _other(self, o):
        return o.cents if isinstance(o, Money) else int(o * 100)

    def __add__(self, o):
        return Money(self.cents + self._other(o))

    __radd__ = __add__

    def __sub__(self, o):
        return Money(self.cents - self._other(o))

    def __rsub__(self, o):
        return Money(self._other(o) - self.cents)

    def __mul__(self, n):
        return Money(self.cents * n)

    __rmul__ = __mul__

    def __neg__(self):
        return Money(-self.cents)

    def __abs__(self):
        return Money(abs(self.cents))

    def __int__(self):
        return self.cents // 100

    def __float__(self):
        return self.cents / 100

    def __lt__(self, o):
        return self.cents < o.cents

    def __eq__(self, o):
        return isinstance(o, Money) and o.cents == self.cents

    __hash__ = object.__hash__

    def __str__(self):
        sign = "-" if self.cents < 0 else ""
        return f"{sign}${abs(self.cents) // 100}.{abs(self.cents) % 100:02d}"


class Bag:
    def __init__(self, items):
        self.items = list(items)

    def __getitem__(self, i):
        return self.items[i]

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __contains__(self, x):
        return x in self.items

    def __bool__(self):
        return bool(self.items)

    def __reversed__(self):
        return reversed([f"r{x}" for x in self.items])


class Color(enum.Enum):
    RED = 1
    GREEN = 2


def decode(v):
    if isinstance(v, list):
        return [decode(x) for x in v]
    if isinstance(v, dict):
        if len(v) == 1:
            (k, x), = v.items()
            if k == "$datetime":
                return datetime.datetime.fromisoformat(x)
            if k == "$date":
                return datetime.date.fromisoformat(x)
            if k == "$time":
                return datetime.time.fromisoformat(x)
            if k == "$timedelta":
                return datetime.timedelta(**x)
            if k == "$lt":
                return Lt(x["name"], x["key"])
            if k == "$ordered":
                return Ordered(x["name"], x["key"])
            if k == "$enum":
                return Color[x]
            if k == "$money":
                return Money(x)
            if k == "$bag":
                return Bag(decode(x))
            if k == "$tuple":
                return tuple(decode(i) for i in x)
        return {k: decode(x) for k, x in v.items()}
    return v


class Catalog(gettext.NullTranslations):
    def __init__(self, spec):
        super().__init__()
        self.spec = spec

    def gettext(self, message):
        return self.spec.get("catalog", {}).get(message, message)

    def ngettext(self, singular, plural, n):
        forms = self.spec.get("plural", {}).get(singular)
        if forms:
            return forms[0] if n == 1 else forms[1]
        return singular if n == 1 else plural

    def pgettext(self, context, message):
        return self.spec.get("context", {}).get(f"{context}\u0004{message}", message)

    def npgettext(self, context, singular, plural, n):
        forms = self.spec.get("context_plural", {}).get(f"{context}\u0004{singular}")
        if forms:
            return forms[0] if n == 1 else forms[1]
        return singular if n == 1 else plural


def render(case):
    o = case.get("options", {})
    undefined = {"strict": jinja2.StrictUndefined, "chainable": jinja2.ChainableUndefined}.get(
        o.get("undefined"), jinja2.Undefined
    )
    env = jinja2.Environment(
        loader=jinja2.DictLoader({**case.get("templates", {}), "main": case["template"]}),
        autoescape=bool(o.get("autoescape")),
        trim_blocks=bool(o.get("trim_blocks")),
        lstrip_blocks=bool(o.get("lstrip_blocks")),
        undefined=undefined,
        extensions=o.get("extensions", []),
    )
    if "i18n" in o:
        spec = o["i18n"]
        env.install_gettext_translations(Catalog(spec), newstyle=bool(spec.get("newstyle")))
        if spec.get("trimmed"):
            env.policies["ext.i18n.trimmed"] = True
    return env.get_template("main").render(decode(case.get("context", {})))


def main():
    cases = json.loads(CASES.read_text())
    for c in cases:
        c.pop("expected", None)
        c.pop("error", None)
        try:
            c["expected"] = render(c)
        except Exception as e:  # the class name is what the JS side must raise
            c["error"] = type(e).__name__
    CASES.write_text(json.dumps(cases, indent=2, ensure_ascii=False) + "\n")
    # the repository's formatter decides the layout (so `biome check` stays clean)
    subprocess.run(["npx", "biome", "format", "--write", str(CASES)], cwd=HERE, check=False, capture_output=True)
    print(f"recorded {len(cases)} cases with Jinja2 {jinja2.__version__}")


if __name__ == "__main__":
    main()
