"""Publication dates: candidates from metadata, bylines and stamps -> one ISO 8601 value.

Rules that matter to users: the publisher's own UTC offset is kept (the day is never shifted by
converting to UTC); a bare day stays a day (``precision="day"``), never an invented midnight;
relative dates ("2 hours ago") resolve against the record's fetch time, never the clock; nothing
in the future of the fetch time is accepted; bare numbers ("100M", "hello 4000", phone numbers)
are never read as dates.

Common shapes (ISO, numeric, month names and relative phrases in en/de/fr/es/pt/it/nl) are read
by the fast patterns below; in other languages, month and weekday names and relative phrases
are read from dateparser's own locale data as dictionary lookups (building a dateparser parser
costs ~40 ms per language); anything else goes to dateparser with explicit settings, through a
parser object we own (no global state, no clock).
"""

from __future__ import annotations

import calendar
import contextlib
import copy
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache, partial
from types import MappingProxyType
from typing import Any, Literal
from zoneinfo import ZoneInfo

from cleanfeed.article import Article

Precision = Literal["day", "second"]
DateOrder = Literal["DMY", "MDY", "YMD"]

#: A naive local time may be this far ahead of a UTC fetch time and still be in the past.
_ZONE_SLACK = timedelta(hours=14)
#: Dates found by scanning text (not given as metadata) older than this are ignored.
MIN_TEXT_YEAR = 1990


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A normalised date: ``iso`` is ``YYYY-MM-DD`` (day) or ``YYYY-MM-DDTHH:MM[:SS][±HH:MM]``."""

    iso: str
    precision: Precision

    @property
    def day(self) -> str:
        """The calendar day in the publisher's own time (``YYYY-MM-DD``)."""
        return self.iso[:10]


# --------------------------------------------------------------------------------------------
# vocabulary


def word_alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words`` (literals), as a trie: ``jan(?:uary)?`` for
    ``january|jan``.

    It matches exactly what the plain alternation sorted longest first matches, trying the
    same words in the same order: the words that match at one position are prefixes of one
    another (they all match the same text), and both forms try them longest first, the
    shorter ones only when the rest of the pattern fails after the longer. But at each
    position the trie tests one letter against a few branches where the plain alternation
    tried each of its hundred words in turn: the month and weekday patterns ran 3-4 times
    faster, and they run over every line of a page that holds a year.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body  # greedy: the longer word first

    return emit(trie)

_MONTH_WORDS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "jänner", "jaenner", "janvier", "janv", "enero", "ene",
        "janeiro", "gennaio", "gen", "januari"),
    2: ("february", "feb", "febr", "februar", "feber", "février", "fevrier", "févr", "fevr",
        "fév", "fev", "febrero", "fevereiro", "febbraio", "februari"),
    3: ("march", "mar", "märz", "maerz", "mär", "mrz", "mars", "marzo", "março", "marco",
        "maart", "mrt"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile"),
    5: ("may", "mai", "mayo", "maio", "maggio", "mag", "mei"),
    6: ("june", "jun", "juni", "juin", "junio", "junho", "giugno", "giu"),
    7: ("july", "jul", "juli", "juillet", "juil", "julio", "julho", "luglio", "lug"),
    8: ("august", "aug", "août", "aout", "agosto", "ago", "augustus"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setiembre", "setembro",
        "settembre", "set"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre", "outubro", "out", "ottobre",
         "ott"),
    11: ("november", "nov", "novembre", "noviembre", "novembro"),
    12: ("december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre",
         "dic", "dezembro", "dicembre"),
}
MONTHS: dict[str, int] = {w: m for m, words in _MONTH_WORDS.items() for w in words}
_MONTH_RE = word_alternation(MONTHS)

_WEEKDAYS = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue",
    "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "montag", "dienstag", "mittwoch",
    "donnerstag", "freitag", "samstag", "sonnabend", "sonntag", "mo", "di", "mi", "do", "fr",
    "sa", "so", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "lun",
    "mar", "mer", "jeu", "ven", "sam", "dim", "lunes", "martes", "miércoles", "miercoles",
    "jueves", "viernes", "sábado", "sabado", "domingo", "segunda-feira", "terça-feira",
    "terca-feira", "quarta-feira", "quinta-feira", "sexta-feira", "segunda", "terça", "terca",
    "quarta", "quinta", "sexta", "lunedì", "lunedi", "martedì",
    "martedi", "mercoledì", "mercoledi", "giovedì", "giovedi", "venerdì", "venerdi", "sabato",
    "domenica", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
)
_WEEKDAY_RE = word_alternation(_WEEKDAYS)

#: Zone abbreviations with a fixed offset (minutes east of UTC).
FIXED_ZONES: dict[str, int] = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0, "WET": 0, "WEZ": 0, "BST": 60, "WEST": 60, "CET": 60,
    "MEZ": 60, "CEST": 120, "MESZ": 120, "EET": 120, "OEZ": 120, "EEST": 180, "OESZ": 180,
    "MSK": 180, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360,
    "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600, "AST": -240,
    "ADT": -180, "NST": -210, "NDT": -150, "JST": 540, "KST": 540, "HKT": 480, "SGT": 480,
    "AEST": 600, "AEDT": 660, "ACST": 570, "ACDT": 630, "AWST": 480, "NZST": 720, "NZDT": 780,
}
#: Zone abbreviations that follow daylight saving: resolved with the zone's rules on that day.
DST_ZONES: dict[str, str] = {
    "ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
    "PT": "America/Los_Angeles", "EASTERN": "America/New_York", "CENTRAL": "America/Chicago",
    "PACIFIC": "America/Los_Angeles", "MOUNTAIN": "America/Denver",
}
_ZONE_RE = "|".join(sorted((*FIXED_ZONES, *DST_ZONES), key=len, reverse=True))

# --------------------------------------------------------------------------------------------
# patterns

_TIME = (
    r"(?P<hh>[01]?\d|2[0-3])(?:[:.h](?P<mi>[0-5]\d)(?::(?P<ss>[0-5]\d)(?P<frac>[.,]\d+)?)?)"
    r"(?:\s*(?P<ampm>[ap]\.?\s?m\.?)(?![a-z]))?"
    r"|(?P<hh2>1[0-2]|0?[1-9])\s*(?P<ampm2>[ap]\.?\s?m\.?)(?![a-z])"
)
_ZONE = (
    rf"(?:\s*\(?(?:(?P<gmt>GMT|UTC)\s*)?(?P<off>[+-]\d{{1,2}}(?::?\d{{2}})?)\)?"
    rf"|\s*\(?(?P<abbr>{_ZONE_RE})\b\)?|(?P<zulu>Z)\b)"
)
#: What may stand between a date and its time.
_JOIN = r"(?:\s*[,|@·•–—-]?\s*|\s*T)(?:(?:at|um|à|a\s+las?|alle|às|as|om|kl\.?|ore|o)\s+)?"
_TIME_TAIL = (
    rf"(?:{_JOIN}(?P<time>{_TIME})(?:\s*(?:uhr|h|hrs|horas?|heures?)\b\.?)?(?:{_ZONE})?)?"
)

_DAY = r"(?P<d>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th|er|º|°|ª|\.)?"
_MON = rf"(?P<mon>{_MONTH_RE})\.?"
_YEAR = r"(?P<y>(?:1[89]|2[01])\d\d)"
_SEP_WORD = r"(?:\s*[,.]?\s*(?:de|del|of|di)?\s*)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # 2025-01-31, 2025-01-31T15:10:00+01:00, 2025/01/31 15:10
    ("ymd", re.compile(
        rf"(?<![\d.,/-])(?P<y>(?:1[89]|2[01])\d\d)(?P<sep>[-/.])(?P<m>1[0-2]|0?[1-9])(?P=sep)"
        rf"(?P<d>3[01]|[12]\d|0?[1-9])(?![\d/])(?:\.(?!\d))?{_TIME_TAIL}", re.I)),
    # 31 January 2025, 31. Januar 2025, 31 de enero de 2025, 1er janvier 2025
    ("dmony", re.compile(
        rf"(?<![\w.])(?:(?:{_WEEKDAY_RE})\.?,?\s+)?{_DAY}{_SEP_WORD}{_MON}{_SEP_WORD}{_YEAR}\b"
        rf"{_TIME_TAIL}", re.I)),
    # January 31, 2025; Jan. 31st 2025
    ("mondy", re.compile(
        rf"(?<![\w.])(?:(?:{_WEEKDAY_RE})\.?,?\s+)?{_MON}\s*{_DAY}(?:,\s*|\s+){_YEAR}\b"
        rf"{_TIME_TAIL}", re.I)),
    # 31.01.2025, 12/05/2023 18:40, 31-01-2025, 12/05/23
    ("num", re.compile(
        rf"(?<![\d.,/:-])(?P<a>\d{{1,2}})(?P<sep>[./-])\s?(?P<b>\d{{1,2}})(?P=sep)\s?"
        rf"(?P<yy>(?:1[89]|2[01])\d\d|\d\d)(?![\d/-]|\.\d|:\d)\.?{_TIME_TAIL}", re.I)),
]
#: Every pattern but "num" holds a four-digit year (``_YEAR``): no such digits, no match.
_YEAR_LIKE = re.compile(r"(?:1[89]|2[01])\d\d")
#: "num" needs two numbers, each followed by a separator (``\d{1,2}[./-]\s?\d{1,2}[./-]``).
_NUM_LIKE = re.compile(r"\d[./-]\s?\d\d?[./-]")
#: A time written before the date: "10:06am December 11, 2014", "15:10 Uhr, 31.01.2025".
_TIME_FIRST = re.compile(
    rf"(?<![\d:.])(?P<time>{_TIME})(?:\s*(?:uhr|h)\b\.?)?(?:{_ZONE})?\s*[,|·•–—-]?\s*(?:on\s+|am\s+|le\s+)?$",
    re.I,
)

_REL_UNIT = {
    "second": "s", "sec": "s", "secs": "s", "seconds": "s", "sekunde": "s", "sekunden": "s",
    "seconde": "s", "secondes": "s", "segundo": "s", "segundos": "s", "secondo": "s",
    "secondi": "s", "seconden": "s",
    "minute": "m", "minutes": "m", "min": "m", "mins": "m", "minuten": "m", "minuto": "m",
    "minutos": "m", "minuti": "m",
    "hour": "h", "hours": "h", "hr": "h", "hrs": "h", "stunde": "h", "stunden": "h",
    "std": "h", "heure": "h", "heures": "h", "hora": "h", "horas": "h", "ora": "h", "ore": "h",
    "uur": "h",
    "day": "d", "days": "d", "tag": "d", "tagen": "d", "tage": "d", "jour": "d", "jours": "d",
    "día": "d", "días": "d", "dia": "d", "dias": "d", "giorno": "d", "giorni": "d", "dag": "d",
    "dagen": "d",
    "week": "w", "weeks": "w", "woche": "w", "wochen": "w", "semaine": "w", "semaines": "w",
    "semana": "w", "semanas": "w", "settimana": "w", "settimane": "w", "weken": "w",
    "month": "M", "months": "M", "monat": "M", "monaten": "M", "monate": "M", "mois": "M",
    "mes": "M", "meses": "M", "mês": "M", "mese": "M", "mesi": "M", "maand": "M",
    "maanden": "M",
    "year": "y", "years": "y", "jahr": "y", "jahren": "y", "jahre": "y", "an": "y", "ans": "y",
    "année": "y", "années": "y", "año": "y", "años": "y", "ano": "y", "anos": "y", "anno": "y",
    "anni": "y", "jaar": "y", "jaren": "y",
}
_ONE = r"a|an|one|ein|eine|einer|einem|einen|un|une|una|uno|um|uma|één|een"
_UNIT_RE = word_alternation(_REL_UNIT)
_N = rf"(?P<n>\d{{1,3}}|{_ONE})"
_REL_PATTERNS = [
    re.compile(rf"(?<!\w){_N}\s+(?P<unit>{_UNIT_RE})\s+(?:ago|fa|atrás|atras|geleden)(?!\w)", re.I),
    re.compile(rf"(?<!\w)(?:vor|il\s+y\s+a|hace|há|ha|faz)\s+(?:about\s+)?{_N}\s+"
               rf"(?P<unit>{_UNIT_RE})(?!\w)", re.I),
]
_DAY_WORDS = {
    "today": 0, "heute": 0, "aujourd'hui": 0, "aujourd’hui": 0, "hoy": 0, "hoje": 0, "oggi": 0,
    "vandaag": 0, "yesterday": 1, "gestern": 1, "hier": 1, "ayer": 1, "ontem": 1, "ieri": 1,
    "gisteren": 1, "vorgestern": 2, "avant-hier": 2, "anteayer": 2, "anteontem": 2,
    "l'altro ieri": 2, "eergisteren": 2,
}
_DAYWORD_RE = re.compile(
    rf"(?<![\w'’])(?P<w>{word_alternation(_DAY_WORDS)})(?![\w'’])(?:{_JOIN}(?P<time>{_TIME}))?",
    re.I,
)
_JUST_NOW = re.compile(
    r"(?<!\w)(?:just now|gerade eben|à l'instant|ahora mismo|agora mesmo|proprio ora)(?!\w)", re.I
)

#: A line without any of these holds no date the patterns above could read (searched on every
#: line of a page when a fetch time anchors relative dates: the words as one trie).
_MAYBE_DATE = re.compile(
    r"\d|(?<!\w)(?:" + word_alternation([
        *_DAY_WORDS, "just now", "gerade eben", "à l'instant", "ahora mismo", "agora mesmo",
        "proprio ora", "ago", "fa", "atrás", "atras", "geleden", "vor", "hace", "há", "ha", "faz",
    ]) + r"|il\s+y\s+a)(?!\w)",
    re.I,
)

#: Strings dateparser must never see: bare numbers, numbers with a unit letter, phone numbers.
_NUMBER_JUNK = re.compile(r"^\W*[\d\s().+/-]*\d[\d\s().+/-]*(?:[a-z]|%)?\W*$", re.I)

# --------------------------------------------------------------------------------------------
# helpers


def _fetch_time(fetched_at: str | datetime | None) -> datetime | None:
    """The fetch time as an aware datetime (naive values are taken as UTC), or ``None``."""
    if fetched_at is None or fetched_at == "":
        return None
    if isinstance(fetched_at, datetime):
        dt = fetched_at
    else:
        try:
            dt = datetime.fromisoformat(fetched_at.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def date_order_for(languages: Sequence[str] | None = None, url: str | None = None) -> DateOrder:
    """Day/month order for slashed numeric dates: US English sites write M/D/Y, most others
    D/M/Y. A ``.com`` site of unknown language counts as US (dotted dates such as 12.05.2023
    are read day-first whatever this says); an unambiguous date on the same page
    (:func:`page_date_order`) overrides both."""
    langs = [lang.lower() for lang in languages or ()]
    if langs and not langs[0].startswith("en"):
        return "DMY"
    if url:
        host = re.sub(r"^[a-z]+://", "", url.lower()).split("/")[0].split(":")[0]
        tld = host.rsplit(".", 1)[-1]
        if tld in {"uk", "ie", "au", "nz", "in", "za", "de", "fr", "es", "it", "pt", "nl", "at",
                   "ch", "be", "br", "mx", "ar", "pl", "ru", "se", "no", "dk", "fi"}:
            return "DMY"
        if tld in {"us", "gov", "edu"} or (tld == "com" and not langs) or (
                langs and tld in {"com", "org", "net"}):
            return "MDY"
    if langs and langs[0] in ("en", "en-us"):
        return "MDY"
    if langs and langs[0].startswith("en-") and langs[0] != "en-us":
        return "DMY"
    return "DMY" if not langs else "MDY"


_SLASHED = re.compile(r"(?<![\d/])(?P<a>\d{1,2})(?P<sep>[/-])(?P<b>\d{1,2})(?P=sep)"
                      r"(?:1[89]|2[01])?\d\d(?![\d/])")


def page_date_order(lines: Iterable[str]) -> DateOrder | None:
    """The day/month order a page itself shows: "25/12/2023" anywhere settles "12/05/2023"
    elsewhere on it. ``None`` when no slashed date is unambiguous, or the page shows both."""
    seen: set[DateOrder] = set()
    for line in lines:
        if "/" not in line and "-" not in line:
            continue
        for m in _SLASHED.finditer(line):
            a, b = int(m["a"]), int(m["b"])
            if 12 < a <= 31 and 1 <= b <= 12:
                seen.add("DMY")
            elif 12 < b <= 31 and 1 <= a <= 12:
                seen.add("MDY")
    return seen.pop() if len(seen) == 1 else None


def _offset_str(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _format(dt: datetime, *, seconds: bool, offset: int | None) -> str:
    iso = f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}"
    if seconds:
        iso += f":{dt.second:02d}"
        if dt.microsecond:
            iso += f".{dt.microsecond:06d}".rstrip("0")
    if offset is not None:
        iso += _offset_str(offset)
    return iso


def _zone_offset(m: re.Match[str], local: datetime) -> int | None:
    """Minutes east of UTC written after a time (an explicit offset wins over an abbreviation)."""
    groups = m.groupdict()
    off = groups.get("off")
    if off:
        sign = -1 if off[0] == "-" else 1
        digits = off[1:].replace(":", "")
        if len(digits) <= 2:
            hours, mins = int(digits), 0
        else:
            hours, mins = int(digits[:-2]), int(digits[-2:])
        if hours > 14 or mins >= 60:
            return None
        return sign * (hours * 60 + mins)
    if groups.get("gmt") or groups.get("zulu"):
        return 0
    abbr = (groups.get("abbr") or "").upper()
    if abbr in FIXED_ZONES:
        return FIXED_ZONES[abbr]
    if abbr in DST_ZONES:
        delta = local.replace(tzinfo=ZoneInfo(DST_ZONES[abbr])).utcoffset()
        return int(delta.total_seconds() // 60) if delta is not None else None
    return None


def _with_time(
    day: date, m: re.Match[str] | None, start_group: str = "time"
) -> ParsedDate | None:
    """Combine a day with the time (and zone) a match captured, if any."""
    if m is None or not m.groupdict().get(start_group):
        return ParsedDate(day.isoformat(), "day")
    g = m.groupdict()
    if g.get("hh2"):
        hour, minute, sec = int(g["hh2"]), 0, None
        ampm = g["ampm2"]
    else:
        hour, minute = int(g["hh"]), int(g["mi"])
        sec = int(g["ss"]) if g.get("ss") else None
        ampm = g.get("ampm")
    if ampm:
        if hour > 12 or hour == 0:
            return ParsedDate(day.isoformat(), "day")
        pm = ampm.lower().startswith("p")
        hour = (hour % 12) + (12 if pm else 0)
    frac = g.get("frac")
    micro = int((frac[1:] + "000000")[:6]) if frac and sec is not None else 0
    local = datetime(day.year, day.month, day.day, hour, minute, sec or 0, micro)
    offset = _zone_offset(m, local)
    return ParsedDate(_format(local, seconds=sec is not None, offset=offset), "second")


def _valid_day(y: int, mo: int, d: int) -> date | None:
    if not (1 <= mo <= 12) or not (1 <= d <= calendar.monthrange(y, mo)[1]):
        return None
    return date(y, mo, d)


def _two_digit_year(yy: int, fetch: datetime | None) -> int:
    """The century that puts the year at most 20 years after the fetch year (the usual sliding
    window: "3/3/50" fetched in 2015 is 1950); strptime's 00-68 -> 20xx without a fetch time."""
    if fetch is None:
        return 2000 + yy if yy < 69 else 1900 + yy
    year = fetch.year - fetch.year % 100 + yy
    return year - 100 if year > fetch.year + 20 else year


def _day_from_match(
    kind: str, m: re.Match[str], order: DateOrder, fetch: datetime | None
) -> date | None:
    g = m.groupdict()
    if kind == "ymd":
        return _valid_day(int(g["y"]), int(g["m"]), int(g["d"]))
    if kind in ("dmony", "mondy"):
        mon = MONTHS.get(g["mon"].lower().rstrip("."))
        return _valid_day(int(g["y"]), mon, int(g["d"])) if mon else None
    # numeric: a/b/year
    a, b, yy = int(g["a"]), int(g["b"]), g["yy"]
    if len(yy) == 2:
        if g["sep"] == "-":  # 12-05-23 is as often a code or a range as a date
            return None
        year = _two_digit_year(int(yy), fetch)
    else:
        year = int(yy)
    if a > 12 and b <= 12:
        return _valid_day(year, b, a)
    if b > 12 and a <= 12:
        return _valid_day(year, a, b)
    if order == "MDY" and g["sep"] != ".":  # 12.05.2023 is day.month everywhere
        return _valid_day(year, a, b)
    return _valid_day(year, b, a)


def _resolve(found: ParsedDate, fetch: datetime | None, allow_future: bool) -> ParsedDate | None:
    """Reject dates in the future of the fetch time (with slack for a naive local time)."""
    if fetch is None or allow_future:
        return found
    if found.precision == "day":
        local_fetch_day = (fetch + _ZONE_SLACK).date()
        return found if date.fromisoformat(found.iso) <= local_fetch_day else None
    dt = datetime.fromisoformat(found.iso)
    if dt.tzinfo is None:
        return found if dt.replace(tzinfo=timezone.utc) <= fetch + _ZONE_SLACK else None
    return found if dt <= fetch + timedelta(minutes=5) else None


def _relative(m: re.Match[str], fetch: datetime) -> ParsedDate | None:
    n_text = m["n"].lower()
    n = int(n_text) if n_text.isdigit() else 1
    return _shift(fetch, n, _REL_UNIT[m["unit"].lower()])


def _shift(fetch: datetime, n: int, unit: str) -> ParsedDate | None:
    """``n`` units (s m h d w M y) before the fetch time; a negative ``n`` is after it."""
    if unit in "smh":
        delta = {"s": timedelta(seconds=n), "m": timedelta(minutes=n), "h": timedelta(hours=n)}
        dt = fetch - delta[unit]
        off = dt.utcoffset()
        return ParsedDate(
            _format(dt, seconds=unit == "s", offset=int(off.total_seconds() // 60) if off else 0),
            "second",
        )
    day = fetch.date()
    if unit == "d":
        day -= timedelta(days=n)
    elif unit == "w":
        day -= timedelta(weeks=n)
    else:
        months = n * (12 if unit == "y" else 1)
        total = day.year * 12 + day.month - 1 - months
        year, month = divmod(total, 12)
        if not 1 <= year <= 9999:
            return None
        day = date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
    return ParsedDate(day.isoformat(), "day")


def _shift_many(fetch: datetime, parts: Sequence[tuple[int, str]]) -> ParsedDate | None:
    """The fetch time moved by several amounts at once ("1 year 2 months ago" = 14 months):
    months and years first (day clamped to the month's end), then the fixed-length units."""
    months = sum(n * (12 if unit == "y" else 1) for n, unit in parts if unit in "yM")
    fixed = timedelta()
    for n, unit in parts:
        if unit in "smhdw":
            fixed += {"s": timedelta(seconds=n), "m": timedelta(minutes=n),
                      "h": timedelta(hours=n), "d": timedelta(days=n),
                      "w": timedelta(weeks=n)}[unit]
    total = fetch.year * 12 + fetch.month - 1 - months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        return None
    try:
        dt = fetch.replace(year=year, month=month + 1,
                           day=min(fetch.day, calendar.monthrange(year, month + 1)[1])) - fixed
    except OverflowError:
        return None
    if not any(unit in "smh" for _, unit in parts):
        return ParsedDate(dt.date().isoformat(), "day")
    off = dt.utcoffset()
    return ParsedDate(_format(dt, seconds=any(unit == "s" for _, unit in parts),
                              offset=int(off.total_seconds() // 60) if off else 0), "second")


# --------------------------------------------------------------------------------------------
# finding dates in a line of text


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date found inside a longer string, with where it was."""

    date: ParsedDate
    start: int
    end: int
    relative: bool = False


def find_dates_in_line(
    line: str,
    *,
    languages: Sequence[str] | None = None,
    fetched_at: str | datetime | None = None,
    url: str | None = None,
    date_order: DateOrder | None = None,
    allow_future: bool = False,
    min_year: int | None = None,
) -> list[DateMatch]:
    """Every date written in ``line`` (absolute, or relative when a fetch time is known)."""
    if not _MAYBE_DATE.search(line):  # most lines of a story: no digit, no relative word
        return []
    fetch = _fetch_time(fetched_at)
    order = date_order or date_order_for(languages, url)
    out: list[DateMatch] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    has_year = _YEAR_LIKE.search(line) is not None
    for kind, pattern in _PATTERNS:
        # each pattern's necessary digits, checked first: the patterns themselves try their
        # month and weekday alternations at every position of the line (most of the cost)
        if not (has_year if kind != "num" else _NUM_LIKE.search(line)):
            continue
        for m in pattern.finditer(line):
            if not free(m.start(), m.end()):
                continue
            day = _day_from_match(kind, m, order, fetch)
            if day is None or (min_year is not None and day.year < min_year):
                continue
            found = _with_time(day, m)
            start = m.start()
            if found and found.precision == "day":
                before = _TIME_FIRST.search(line, 0, start)
                if before:
                    timed = _with_time(day, before)
                    if timed:
                        found, start = timed, before.start()
            if found:
                found = _resolve(found, fetch, allow_future)
            if found:
                taken.append((start, m.end()))
                out.append(DateMatch(found, start, m.end()))
    if fetch is not None:
        for pattern in _REL_PATTERNS:
            for m in pattern.finditer(line):
                if free(m.start(), m.end()):
                    rel = _relative(m, fetch)
                    if rel:
                        taken.append((m.start(), m.end()))
                        out.append(DateMatch(rel, m.start(), m.end(), relative=True))
        for m in _DAYWORD_RE.finditer(line):
            if not free(m.start(), m.end()):
                continue
            day = fetch.date() - timedelta(days=_DAY_WORDS[m["w"].lower()])
            found = _with_time(day, m)
            if found:
                taken.append((m.start(), m.end()))
                out.append(DateMatch(found, m.start(), m.end(), relative=True))
        for m in _JUST_NOW.finditer(line):
            if free(m.start(), m.end()):
                off = fetch.utcoffset()
                out.append(DateMatch(ParsedDate(_format(fetch, seconds=False, offset=int(
                    off.total_seconds() // 60) if off else 0), "second"), m.start(), m.end(), True))
    out.sort(key=lambda dm: dm.start)
    return out


#: Any fixed instant: :func:`date_spans` asks where phrases are, not what they resolve to.
_SPAN_FETCH = datetime(2100, 1, 1, tzinfo=timezone.utc)
#: A weekday written before a date ("Monday, 2025-01-31"): the same vocabulary as the patterns.
WEEKDAY_PATTERN = _WEEKDAY_RE


def date_spans(line: str) -> list[tuple[int, int]]:
    """Where dates are written in ``line``: absolute dates with their time and zone, and
    counted relative phrases ("2 hours ago", "vor 3 Tagen"); day words ("today") are left out.

    Syntactic only (nothing is resolved or rejected as future): this is the one date
    vocabulary other steps match against, e.g. the stamps cleaner.

    >>> date_spans("Published: Jan. 31, 2025 3:10 pm ET")
    [(11, 35)]
    """
    out = []
    for dm in find_dates_in_line(line, fetched_at=_SPAN_FETCH, allow_future=True):
        text = line[dm.start: dm.end]
        if dm.relative and not any(p.fullmatch(text) for p in _REL_PATTERNS):
            continue
        out.append((dm.start, dm.end))
    return out


def is_time_of_day(text: str) -> bool:
    """Whether ``text`` is only a clock time ("15:10", "3:10 pm ET", "10.30 Uhr")."""
    return _BARE_TIME.match(text.strip()) is not None


def find_date_in_line(
    line: str,
    *,
    languages: Sequence[str] | None = None,
    fetched_at: str | datetime | None = None,
    url: str | None = None,
    date_order: DateOrder | None = None,
) -> ParsedDate | None:
    """The first date written in ``line`` or ``None``: what a stamp/byline cleaner asks.

    >>> find_date_in_line("Published Jan. 31, 2025 3:10 pm ET")
    ParsedDate(iso='2025-01-31T15:10-05:00', precision='second')
    >>> find_date_in_line("Call 030 1234 5678 or order 100M units") is None
    True
    """
    found = find_dates_in_line(line, languages=languages, fetched_at=fetched_at, url=url,
                               date_order=date_order)
    return found[0].date if found else None


# --------------------------------------------------------------------------------------------
# parsing one date string


@lru_cache(maxsize=32)
def _dateparser(
    languages: tuple[str, ...] | None, base: datetime, order: str, past: bool = True
) -> Any:
    """A dateparser parser with explicit settings; cached per (languages, base, order, past)."""
    from dateparser.date import DateDataParser

    settings = {
        "RELATIVE_BASE": base.replace(tzinfo=None),
        "PREFER_DAY_OF_MONTH": "current",  # only relative spans keep a month-period answer
        # with a fetch time, "10 December" or "Sunday" is the last one before it
        "PREFER_DATES_FROM": "past" if past else "current_period",
        "RETURN_TIME_AS_PERIOD": True,
        "DATE_ORDER": order,
        "PREFER_LOCALE_DATE_ORDER": True,
        "NORMALIZE": True,
    }
    if languages:
        for langs in (list(languages), sorted({lang.split("-")[0] for lang in languages})):
            try:
                return DateDataParser(languages=langs, settings=settings)
            except ValueError:  # a language (or script variant) dateparser does not know
                continue
    return DateDataParser(languages=list(FALLBACK_LANGUAGES), settings=settings)


#: Languages dateparser tries when the caller does not know the text's language: the widely
#: published ones. All ~200 of dateparser's locales would cost seconds per unknown string.
FALLBACK_LANGUAGES: tuple[str, ...] = (
    "en", "de", "fr", "es", "pt", "it", "nl", "ru", "uk", "pl", "cs", "tr", "sv", "da", "nb",
    "fi", "hu", "ro", "el", "bg", "hr", "sk", "sl", "id", "vi", "zh", "ja", "ko", "ar", "he",
    "hi", "th", "fa",
)

#: The scripts of the fallback languages that do not write in Latin letters.
_SCRIPTS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"[\u0400-\u04ff]"), ("ru", "uk", "bg")),
    (re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]"), ("el",)),
    (re.compile(r"[\u0600-\u06ff]"), ("ar", "fa")),
    (re.compile(r"[\u0590-\u05ff]"), ("he",)),
    (re.compile(r"[\u0900-\u097f]"), ("hi",)),
    (re.compile(r"[\u0e00-\u0e7f]"), ("th",)),
    (re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]"), ("zh", "ja")),
    (re.compile(r"[\uac00-\ud7af\u1100-\u11ff]"), ("ko",)),
)
_NON_LATIN = frozenset(lang for _, langs in _SCRIPTS for lang in langs)


def fallback_languages_for(text: str) -> tuple[str, ...]:
    """The fallback languages whose script ``text`` is written in (all of them when it mixes
    scripts): a Latin-letter string is never Chinese. Each language dateparser loads costs
    ~40 ms the first time, so a cold process does not pay for scripts it never sees."""
    found = [langs for pattern, langs in _SCRIPTS if pattern.search(text)]
    if len(found) > 1:
        return FALLBACK_LANGUAGES
    if found:
        return tuple(lang for lang in FALLBACK_LANGUAGES if lang in found[0])
    return tuple(lang for lang in FALLBACK_LANGUAGES if lang not in _NON_LATIN)


def _strings(node: object, out: list[str]) -> list[str]:
    """Every string inside nested dicts/lists (keys too)."""
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, dict):
        for key, value in node.items():
            _strings(key, out)
            _strings(value, out)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _strings(item, out)
    return out


_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _zone_words() -> frozenset[str]:
    """The zone names dateparser strips from any string before reading it."""
    from dateparser.timezones import timezone_info_list

    return frozenset(_WORD.findall(" ".join(
        zone[0] for group in timezone_info_list for zone in group["timezones"]).lower()))


@lru_cache(maxsize=256)  # one entry per language code asked for
def _locale_vocabulary(language: str) -> frozenset[str] | None:
    """Every word written anywhere in a language's dateparser data (and the zone names every
    language knows), accent-free and lower-case: a word outside it is one dateparser cannot
    read in that language. ``None`` when the data cannot be loaded."""
    import importlib

    try:
        info = importlib.import_module(f"dateparser.data.date_translation_data.{language}").info
    except ImportError:
        return None
    text = _normal("\n".join(_strings(info, [])))
    # "ก.พ." is read as "กพ": dateparser drops the dots of abbreviations
    return frozenset(_WORD.findall(text)) | frozenset(_WORD.findall(text.replace(".", ""))) \
        | _zone_words()


#: Pattern syntax that can match letters not written in the pattern itself.
_ANY_LETTER = re.compile(r"\\[wWSDpPXN]|(?<!\\)\.|\[\^|\[[^\]]*[^\\]-[^\]]")


@lru_cache(maxsize=4096)
def _regex_rule(source: str) -> Any:
    """A rule only the ``regex`` module compiles (dateparser's engine; slow to compile, so
    only when :func:`_may_rewrite`'s letter screen cannot rule it out). ``None``: broken."""
    import regex  # a dependency of dateparser

    try:
        return regex.compile(source, regex.I)
    except regex.error:
        return None


@lru_cache(maxsize=256)
def _rule_screens(
    language: str,
) -> tuple[tuple[re.Pattern[str] | str, frozenset[str] | None], ...]:
    """Each rewrite rule of the language as a ``re`` pattern (wrapped as dateparser wraps it)
    or, for the few only the ``regex`` module compiles, the letters it could match (``None``:
    any). Cheap to build, unlike compiling them all with ``regex``."""
    from dateparser.utils import normalize_unicode

    names = _locale_names(language)
    if names is None:
        return ()
    around = "{}" if names.no_spacing else r"(?<![^\W_])(?:{})(?![^\W_])"
    out: list[tuple[re.Pattern[str] | str, frozenset[str] | None]] = []
    for rule in names.rules:
        source = normalize_unicode(rule)
        try:
            out.append((re.compile(around.format(source), re.I), None))
        except re.error:
            letters = None if _ANY_LETTER.search(source) or names.no_spacing \
                else frozenset("".join(_WORD.findall(source.lower())))
            out.append((around.format(source), letters))
    return tuple(out)


def _languages_knowing(text: str, languages: tuple[str, ...]) -> tuple[str, ...]:
    """The ``languages`` whose data know every word of ``text``, or one of whose rewrite
    rules may apply to it: dateparser finds no other language applicable, and each one it
    is given costs ~40 ms of pattern compiling on first use. A string without letters keeps
    them all."""
    from dateparser.date import sanitize_date  # what dateparser does to the string first

    normal = _normal(sanitize_date(text))
    words = set(_WORD.findall(normal))
    if not words:
        return languages
    out = []
    for language in languages:
        known = _locale_vocabulary(language)
        unknown = words - known if known is not None else set()
        if not unknown:
            out.append(language)
            continue
        if _may_rewrite(normal, language, unknown):
            out.append(language)
    return tuple(out)


def _may_rewrite(normal: str, language: str, words: set[str] | None = None) -> bool:
    """Whether one of the language's rewrite rules applies to ``normal`` (accent-free,
    lower-case). The few rules only ``regex`` compiles are compiled only when they could
    write every letter of one of ``words`` (a rule matches whole words)."""
    if words is None:
        words = set(_WORD.findall(normal))
    for pattern, letters in _rule_screens(language):
        if not isinstance(pattern, str):
            if pattern.search(normal):
                return True
        elif letters is None or any(set(word) <= letters for word in words):
            compiled = _regex_rule(pattern)
            if compiled is None or compiled.search(normal):
                return True
    return False


_EN_UNIT = re.compile(r"\b(?:decade|year|month|week|day|hour|minute|second)s?\b")
_EN_MONTH = re.compile(r"\b(?:january|february|march|april|may|june|july|august|september|"
                       r"october|november|december)\b")


def _is_relative_phrase(text: str, locale: str | None) -> bool:
    """Whether dateparser read ``text`` as a span from now ("1 year 2 months", "a decade ago").

    Uses the locale's own translation into dateparser's English tokens: units and no month.
    """
    if not locale:
        return False
    try:
        from dateparser.conf import settings as default_settings
        from dateparser.languages.loader import LocaleDataLoader

        english = LocaleDataLoader().get_locale(locale).translate(text, settings=default_settings)
    except Exception:  # an internal API: if it changes, treat the phrase as not relative
        return False
    return bool(_EN_UNIT.search(english)) and not _EN_MONTH.search(english)


_PROBE_BASES = (datetime(2001, 2, 3, 4, 5, 6), datetime(2011, 7, 9, 10, 11, 12))


def _via_dateparser(
    text: str, languages: tuple[str, ...] | None, fetch: datetime | None, order: DateOrder,
    *, past: bool = True,
) -> ParsedDate | None:
    if _NUMBER_JUNK.match(text):  # numbers only: the patterns above read every real one
        return None
    bases = (fetch,) if fetch else _PROBE_BASES
    results = []
    for base in bases:
        try:
            parser = _dateparser(languages, base.replace(tzinfo=None), order,
                                 past and fetch is not None)
            data = parser.get_date_data(text)
        except (ValueError, OverflowError, TypeError):
            return None
        if data is None or data.date_obj is None:
            return None
        # a month or year ("March 2019") is not a publication day; "1 year 2 months" or
        # "a decade ago" measured from the fetch time is: its answer moves with the base
        if data.period not in ("day", "time") and not (
                fetch is not None and _is_relative_phrase(text, data.locale)):
            return None
        results.append(data)
    if len(results) > 1 and results[0].date_obj != results[1].date_obj:
        return None  # it depends on "now", and we do not know when "now" was
    data = results[0]
    return _from_dateparser(data.date_obj, data.period == "time", text, fetch)


def _from_dateparser(
    dt: datetime, timed: bool, text: str, fetch: datetime | None
) -> ParsedDate:
    """A dateparser-style answer as a :class:`ParsedDate` (shared by the dictionary paths, so
    their answers are formatted exactly as dateparser's are): a "day" answer carries the
    base's clock time, which is not a real time."""
    if timed:
        offset = None
        if dt.tzinfo is not None:
            delta = dt.utcoffset()
            offset = int(delta.total_seconds() // 60) if delta is not None else None
        elif fetch is not None and _looks_relative(text):
            delta = fetch.utcoffset()
            offset = int(delta.total_seconds() // 60) if delta is not None else 0
        return ParsedDate(_format(dt, seconds=bool(dt.second) or bool(re.search(
            r"\d:\d\d:\d\d", text)), offset=offset), "second")
    return ParsedDate(dt.date().isoformat(), "day")


_SPACED_DOTS = re.compile(r"(?<=\d)\s+\.\s*(?=\d)|(?<=\d)\.\s+(?=\d)")
_BARE_TIME = re.compile(rf"^(?P<time>{_TIME})(?:\s*(?:uhr|h)\b\.?)?(?:{_ZONE})?$", re.I)


def _bare_time(text: str, fetch: datetime, allow_future: bool) -> ParsedDate | None:
    """"10:04am" alone: that time on the fetch day, or the day before when that is still to come
    (``allow_future`` keeps the fetch day)."""
    m = _BARE_TIME.match(text)
    if m is None:
        return None
    wall = fetch.replace(tzinfo=None)
    found = _with_time(wall.date(), m)
    if found is None or found.precision != "second":
        return None
    when = datetime.fromisoformat(found.iso)
    later = when > fetch if when.tzinfo else when > wall  # an offset given: compare instants
    if not allow_future and later:
        found = _with_time(wall.date() - timedelta(days=1), m)
    return found


_LOCALE_KEY = re.compile(
    r"^(?P<in>in )?(?P<n>\\1|\d+) (?P<unit>year|month|week|day|hour|minute|second|fortnight"
    r"|decade)(?P<ago> ago)?$"
)
_LOCALE_UNIT = {"year": ("y", 1), "month": ("M", 1), "week": ("w", 1), "day": ("d", 1),
                "hour": ("h", 1), "minute": ("m", 1), "second": ("s", 1),
                "fortnight": ("w", 2), "decade": ("y", 10)}


#: How dateparser's locale data writes the number in a relative phrase.
_LOCALE_NUMBER = "(\\d++[.,]?\\d*+)"
_REGEX_SYNTAX = re.compile(r"[\\^$.|?*+()\[\]{}]")
_SLOT = "<n>"  # where the number stood in a relative-phrase template
_ONE_NUMBER = re.compile(r"(?<![\d.,])\d{1,4}(?![\d.,])")


@dataclass(frozen=True, slots=True)
class _LocaleRelatives:
    """One language's relative phrases, from dateparser's locale data."""

    phrases: dict[str, tuple[int, str]]  # "вчера" -> (1, "d"): signed count (past > 0), unit
    templates: dict[str, tuple[int, str]]  # "<n> дня назад" -> (1, "d"): sign, unit per 1
    patterns: tuple[tuple[re.Pattern[str], int, str], ...]  # the few that are real regexes
    units: dict[str, tuple[str, int]]  # "meses" -> ("M", 1): unit words of the language
    markers: dict[tuple[str, ...], int]  # ("hace",) -> 1, ("dans",) -> -1: past / future words
    skip: frozenset[str]  # "y", "et", ",": words dateparser ignores


@lru_cache(maxsize=256)  # one entry per language code asked for
def _locale_relative_table(language: str) -> _LocaleRelatives:
    """Relative phrases of one language from dateparser's own locale data (no parser built).

    Building a dateparser parser compiles every pattern of a language (~40 ms each, most of
    a cold run). Nearly all of dateparser's relative patterns are literal text around one
    number, so they become dictionary keys here (``_SLOT`` stands for the number); the rare real
    regex is compiled. Regional variants (pt-PT "dentro de ...") are merged into the language.
    """
    import importlib

    phrases: dict[str, tuple[int, str]] = {}
    templates: dict[str, tuple[int, str]] = {}
    regexes: dict[str, tuple[int, str]] = {}
    units: dict[str, tuple[str, int]] = {}
    markers: dict[tuple[str, ...], int] = {}
    skip: set[str] = set()
    for name in dict.fromkeys((language, language.split("-")[0])):
        try:
            module = importlib.import_module(f"dateparser.data.date_translation_data.{name}")
        except ImportError:
            continue
        info = getattr(module, "info", {})
        for section in (info, *info.get("locale_specific", {}).values()):
            for key, values in section.get("relative-type", {}).items():
                k = _LOCALE_KEY.match(key)
                if k is None or k["n"] == "\\1" or (k["in"] is None) == (k["ago"] is None):
                    continue
                unit, mult = _LOCALE_UNIT[k["unit"]]
                sign = 1 if k["ago"] else -1
                for value in values:
                    phrases.setdefault(" ".join(value.lower().split()),
                                       (sign * int(k["n"]) * mult, unit))
            for key, values in section.get("relative-type-regex", {}).items():
                k = _LOCALE_KEY.match(key)
                if k is None or k["n"] != "\\1" or (k["in"] is None) == (k["ago"] is None):
                    continue
                unit, mult = _LOCALE_UNIT[k["unit"]]
                sign = (1 if k["ago"] else -1) * mult
                for value in values:
                    parts = value.lower().split(_LOCALE_NUMBER)
                    if len(parts) == 2 and not _REGEX_SYNTAX.search(parts[0] + parts[1]):
                        template = " ".join(f"{parts[0]}{_SLOT}{parts[1]}".split())
                        templates.setdefault(template, (sign, unit))
                    else:
                        regexes.setdefault(value, (sign, unit))
            for unit_name, (code, mult) in _LOCALE_UNIT.items():
                for word in section.get(unit_name, ()):
                    units.setdefault(word.lower().rstrip("."), (code, mult))
            for word in section.get("ago", ()) or ():
                markers.setdefault(tuple(word.lower().split()), 1)
            for word in section.get("in", ()) or ():
                markers.setdefault(tuple(word.lower().split()), -1)
            skip.update(w.strip().lower() for w in section.get("skip", ()) if w.strip())
        if phrases or templates or regexes:
            break
    # the word next to the number in "<n> дня назад" / "пре <n> месеци" is the unit (the
    # word after it, else the one before), when the unit lists do not already have it
    known = {word for words in markers for word in words}
    for template, (sign, unit) in templates.items():
        before, _, after = template.partition(_SLOT)
        side = after.split()[:1] or before.split()[-1:]
        if side and side[0].rstrip(".") not in known:
            units.setdefault(side[0].rstrip("."), (unit, abs(sign)))
    # the other words around the number mark the direction
    for template, (sign, _) in templates.items():
        before, _, after = template.partition(_SLOT)
        for side in (before.split(), after.split()):
            words = tuple(w.rstrip(".") for w in side if w.rstrip(".") not in units)
            if words:
                markers.setdefault(words, 1 if sign > 0 else -1)
    compiled = []
    for source, (sign, unit) in regexes.items():
        try:
            compiled.append((re.compile(source, re.I), sign, unit))
        except re.error:  # written for the ``regex`` module only: dateparser still reads it
            continue
    return _LocaleRelatives(phrases, templates, tuple(compiled), units, markers,
                            frozenset(skip))


def _locale_relative(
    text: str, languages: tuple[str, ...], fetch: datetime
) -> ParsedDate | None:
    """"2 дня назад", "dentro de 8 meses", "вчера": a whole-string relative phrase read from
    dateparser's locale data without building a parser; ``None`` leaves it to dateparser."""
    key = " ".join(text.lower().split()).rstrip(".")
    numbers = list(_ONE_NUMBER.finditer(key))
    template = None
    if len(numbers) == 1:
        m = numbers[0]
        template = " ".join(f"{key[: m.start()]}{_SLOT}{key[m.end():]}".split())
    for language in languages:
        table = _locale_relative_table(language)
        if key in table.phrases:
            n, unit = table.phrases[key]
            return _shift(fetch, n, unit)
        if template is not None and template in table.templates:
            sign, unit = table.templates[template]
            return _shift(fetch, sign * int(numbers[0].group()), unit)
        for pattern, sign, unit in table.patterns:
            found = pattern.fullmatch(key)
            if found and found.group(1).isdigit():
                return _shift(fetch, sign * int(found.group(1)), unit)
        if numbers:
            compound = _locale_compound(key, table, fetch)
            if compound is not None:
                return compound
    return None


#: A letter of a word: anything but spaces, digits and punctuation, so the vowel signs of
#: Bengali, Hindi or Thai (not ``\w`` to ``re``) stay inside their word.
_LETTER = r"[^\s\d\[\](){}|,;:.!?'’\"«»/@\-，、。]"
_TOKEN = re.compile(rf"\d+|{_LETTER}+(?:['’-]{_LETTER}+)*\.?|[^\w\s]")


def _locale_compound(key: str, table: _LocaleRelatives, fetch: datetime) -> ParsedDate | None:
    """"1 año 2 meses", "prije 20 sat 5 minuta", "преди около 23 часа": counted units with
    the language's past/future words around them (none: past, as dateparser reads it, for
    two units or more; one unit needs a direction word). Every token must be a count, its
    unit, a direction word or a word to skip; anything else (a number word, a time) leaves
    the phrase to dateparser."""
    tokens = _TOKEN.findall(key)
    parts: list[tuple[int, str]] = []
    signs: set[int] = set()
    i = 0
    longest = max((len(m) for m in table.markers), default=1)
    while i < len(tokens):
        token = tokens[i]
        if token.isdigit():
            if i + 1 >= len(tokens):
                return None
            unit = table.units.get(tokens[i + 1].rstrip("."))
            if unit is None:
                return None
            parts.append((int(token) * unit[1], unit[0]))
            i += 2
            continue
        for size in range(min(longest, len(tokens) - i), 0, -1):
            words = tuple(t.rstrip(".") for t in tokens[i: i + size])
            if words in table.markers:
                signs.add(table.markers[words])
                i += size
                break
        else:
            if token.rstrip(".") in table.skip or token in table.skip:
                i += 1
                continue
            return None
    if not parts or len(signs) > 1 or (len(parts) == 1 and not signs):
        return None
    sign = signs.pop() if signs else 1
    return _shift_many(fetch, [(sign * n, unit) for n, unit in parts])


#: What a day-month-year string in any locale is made of: one clock time, numbers, words and
#: single punctuation marks (words are runs of anything else, so Thai and Bengali vowel signs
#: stay inside their word).
_ABS_TIME = re.compile(r"(?<![\d:.])(?P<hh>[01]?\d|2[0-3]):(?P<mi>[0-5]\d)(?::(?P<ss>[0-5]\d))?"
                       r"(?![\d:.])")
_ABS_TOKEN = re.compile(r"\d+|[^\s\d\[\](){}|,;:.'/@\-，]+|[^\s]")
_ABS_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")
_ABS_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: dateparser rewrites letters of these languages before it reads them: left to dateparser.
_ABS_LETTER_VARIANTS = frozenset({"ar", "fa"})


@dataclass(frozen=True, slots=True)
class _LocaleNames:
    """One language's month and weekday names from dateparser's locale data (normalised)."""

    words: dict[str, tuple[str, int]]  # "мая" -> ("month", 5), "пн" -> ("weekday", 0)
    year_words: frozenset[str]  # "г", "год": may follow the year ("2015 г.")
    skip: frozenset[str]  # words and marks dateparser ignores ("в", ",", ".")
    rules: tuple[str, ...]  # dateparser's rewrite rules, applied before its lookups
    no_spacing: bool  # written without spaces between words (Chinese, Japanese, Thai)
    meridian: dict[str, int]  # "pm" -> 12, "am" -> 0: hours added after a 12-hour time


def _normal(word: str) -> str:
    from dateparser.utils import normalize_unicode

    return str(normalize_unicode(word)).lower()


@lru_cache(maxsize=256)  # one entry per language code asked for
def _locale_names(language: str) -> _LocaleNames | None:
    """Month and weekday names of one language as dateparser reads them (``None``: unknown).

    dateparser is asked with the bare language, which loads the language's own data without
    its regional variants, so the variants are left out here too. A word that means two
    things (a month and a weekday, or anything else the language's data lists: "mar",
    "mer") is dropped: such strings stay with dateparser. Words are compared accent-free and
    lower-case, as dateparser compares them with ``NORMALIZE``.
    """
    import importlib

    if language.split("-")[0] in _ABS_LETTER_VARIANTS:
        return None
    info: dict[str, Any] | None = None
    for name in dict.fromkeys((language, language.split("-")[0])):
        try:
            info = importlib.import_module(f"dateparser.data.date_translation_data.{name}").info
            break
        except ImportError:
            continue
    if info is None:
        return None
    meanings: dict[str, set[tuple[str, int]]] = {}
    for kind, names in (("month", _ABS_MONTHS), ("weekday", _ABS_WEEKDAYS)):
        for index, name in enumerate(names):
            for word in info.get(name, ()):
                meanings.setdefault(_normal(word).rstrip("."), set()).add((kind, index))
    # every other word the language's data knows ("am", "year", "ago", "skip", phrases...)
    for key, values in info.items():
        if key in _ABS_MONTHS or key in _ABS_WEEKDAYS or key in ("name", "skip"):
            continue
        listed = values.values() if isinstance(values, dict) else values
        if not isinstance(listed, (list, tuple)) or key == "simplifications":
            continue
        for value in listed:
            for item in value if isinstance(value, (list, tuple)) else (value,):
                if isinstance(item, str):
                    for word in _normal(item).split():
                        meanings.setdefault(word.rstrip("."), set()).add((key, -1))
    words = {word: next(iter(found)) for word, found in meanings.items()
             if len(found) == 1 and next(iter(found))[1] >= 0}
    year_words = frozenset(
        w for w in (_normal(y).rstrip(".") for y in info.get("year", ())) if w and w not in words)
    skip = frozenset(s for s in (_normal(w).strip() for w in info.get("skip", ())) if s)
    rules = tuple(pattern for rule in info.get("simplifications", ()) for pattern in rule)
    no_spacing = str(info.get("no_word_spacing", False)).lower() == "true"
    halves: dict[str, set[int]] = {}
    for key, hours in (("am", 0), ("pm", 12)):
        for word in info.get(key, ()):
            halves.setdefault(_normal(word).rstrip("."), set()).add(hours)
    meridian = {w: h.pop() for w, h in halves.items()
                if len(h) == 1 and w and w not in words and w not in skip}
    return _LocaleNames(words, year_words, skip - words.keys(), rules, no_spacing, meridian)


def _locale_absolute(
    text: str, language: str, fetch: datetime | None = None
) -> ParsedDate | None:
    """"12 марта 2021", "3. März 2020 10:07", "15 de octubre de 2019": a day, a month name
    and a four-digit year (a weekday and a 24-hour time may come with them) read with the
    language's own names from dateparser's data, without building a dateparser parser.

    Only what dateparser reads the same way is answered: every token must be a number, a
    known month or weekday, or a word or mark the language skips; anything else (am/pm, a
    zone, a missing year, a second number, a weekday that is not the date's) returns ``None``
    and the string goes to dateparser.
    """
    names = _locale_names(language)
    if names is None:
        return None
    clock = list(_ABS_TIME.finditer(text))
    if len(clock) > 1:
        return None
    rest = text
    half: int | None = None
    if clock:
        after = text[clock[0].end():]
        # "10:17 pm", "08:55:08 PM": the language's am/pm word right after the time
        suffix = re.match(rf"\s*({_LETTER}+)\.?(?!\w)", after)
        if suffix and _normal(suffix[1]) in names.meridian:
            half = names.meridian[_normal(suffix[1])]
            after = after[suffix.end():]
        rest = text[: clock[0].start()] + " " + after
    day = month = year = weekday = None
    after_year = False
    order: list[str] = []
    for token in _ABS_TOKEN.findall(rest):
        if token.isdecimal():
            after_year = False
            if len(token) == 4 and year is None:
                year, after_year = int(token), True
                order.append("y")
            elif len(token) <= 2 and day is None:
                day = int(token)
                order.append("d")
            else:
                return None
            continue
        word = _normal(token)
        if after_year and word in names.year_words:
            after_year = False
            continue
        if word in names.skip:
            continue
        found = names.words.get(word.rstrip("."))
        if found is None:
            return None
        kind, index = found
        if kind == "month" and month is None:
            month = index + 1
            order.append("m")
        elif kind == "weekday" and weekday is None:
            weekday = index
        else:
            return None
        after_year = False
    if not order and weekday is not None and fetch is not None:
        # "Jeu 15:12", "শুক্রবার": the last such weekday before the fetch day (dateparser's
        # reading both with and without preferring the past, unless it is the fetch day)
        back = (fetch.weekday() - weekday) % 7
        if back == 0:
            return None
        last = fetch.date() - timedelta(days=back)
        day, month, year = last.day, last.month, last.year
        order = ["d", "m", "y"]
    elif year is None and fetch is not None and "".join(order) in ("dm", "md"):
        # "10 мая": dateparser takes the fetch year, and the year before only when that day
        # is still to come; answered only when both readings agree (an earlier month/day)
        base = fetch.replace(tzinfo=None)
        if day is None or month is None or (month, day) >= (base.month, base.day):
            return None
        year = base.year
        order.append("y")
    if day is None or month is None or year is None or "".join(order) not in (
            "dmy", "mdy", "ymd", "ydm"):
        return None
    found_day = _valid_day(year, month, day)
    if found_day is None or (weekday is not None and found_day.weekday() != weekday):
        return None
    if _may_rewrite(_normal(text), language):
        return None  # dateparser would rewrite part of it before reading it
    c = clock[0] if clock else None
    hour = int(c["hh"]) if c else 0
    if half is not None:
        if not 1 <= hour <= 12:
            return None  # "0:30 am", "13:00 pm": left to dateparser
        hour = hour % 12 + half
    local = datetime(year, month, day, hour, int(c["mi"]), int(c["ss"] or 0)) if c \
        else datetime(year, month, day)
    return _from_dateparser(local, c is not None, text, fetch)


_RELATIVE_HINT = re.compile(
    r"ago|vor|il y a|hace|há|fa\b|назад|前|önce|temu|in\s+\d|dentro|dans|en\s+\d|hours?|minutes?",
    re.I,
)


def _looks_relative(text: str) -> bool:
    return bool(_RELATIVE_HINT.search(text))


_STRIP = re.compile(r"^[\s\[\](){}|,;:–—-]+|[\s\[\](){}|,;:–—-]+$")


def parse_date(
    text: str,
    *,
    languages: Sequence[str] | None = None,
    fetched_at: str | datetime | None = None,
    url: str | None = None,
    date_order: DateOrder | None = None,
    allow_future: bool = False,
) -> ParsedDate | None:
    """Parse one date string; ``None`` when it is not a plausible date.

    ``languages`` (ISO 639-1 codes) choose month names and the day/month order; ``fetched_at``
    anchors relative dates and bounds the future (``allow_future`` lifts that bound).

    >>> parse_date("2025-01-31 15:10")
    ParsedDate(iso='2025-01-31T15:10', precision='second')
    >>> parse_date("2025-01-31")
    ParsedDate(iso='2025-01-31', precision='day')
    """
    if not text or len(text) > 200:
        return None
    s = _STRIP.sub("", " ".join(text.split()))
    if not s:
        return None
    fetch = _fetch_time(fetched_at)
    order = date_order or date_order_for(languages, url)
    matches = find_dates_in_line(s, languages=languages, fetched_at=fetch, url=url,
                                 date_order=order, allow_future=True)
    if len(matches) == 1:
        m = matches[0]
        rest = (s[: m.start] + " " + s[m.end:]).strip()
        if _ignorable(rest):
            return _resolve(m.date, fetch, allow_future)
    elif len(matches) > 1:
        return None  # two dates in one string: not one date
    if fetch is not None:
        quick = _bare_time(s, fetch, allow_future)
        if quick is None and languages:
            quick = _locale_relative(s, tuple(languages), fetch)
        if quick is not None:
            return _resolve(quick, fetch, allow_future)
    spaced = _SPACED_DOTS.sub(".", s)
    if spaced != s:  # "26 . 10.21": a numeric date typed with spaces around its dots
        return parse_date(spaced, languages=languages, fetched_at=fetch, url=url,
                          date_order=date_order, allow_future=allow_future)
    if languages:
        # one language: its month names read as dictionary lookups first (no parser built)
        found = _locale_absolute(s, languages[0], fetch) if len(languages) == 1 else None
        if found is None:
            found = _via_dateparser(s, tuple(languages), fetch, order, past=not allow_future)
    else:
        # English first: most strings without a language are English or numeric, and each
        # extra dateparser language costs ~40 ms of pattern compiling on its first use
        found = _locale_absolute(s, "en", fetch) or _via_dateparser(s, ("en",), fetch, order,
                                                             past=not allow_future)
        if found is None:
            candidates = _languages_knowing(s, fallback_languages_for(s))
            if candidates:
                found = _via_dateparser(s, candidates, fetch, order, past=not allow_future)
    if found is None:
        return None
    return _resolve(found, fetch, allow_future)


_IGNORABLE = re.compile(
    rf"^(?:[\W_]*|(?:(?:{_WEEKDAY_RE})\.?|published|posted|updated|on|le|el|am|il|de|the|"
    r"publié|publicado|pubblicato|veröffentlicht|aktualisiert|date|datum|fecha|data|"
    r"[\s,.:;|()\[\]–—-])+)$",
    re.I,
)


def _ignorable(rest: str) -> bool:
    return not rest or bool(_IGNORABLE.match(rest))


# --------------------------------------------------------------------------------------------
# HTML


_JSONLD = re.compile(
    r"<script[^>]+type\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>(.*?)</script>", re.I | re.S
)
_JSON_WRAPPING = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")
_JSON_DATE_KEY = re.compile(r'"(datePublished|dateModified)"\s*:\s*"([^"]{8,40})"')
_URL_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19[9]|20[0-4])\d)(?P<sep>[/_.-]?)(?P<m>0[1-9]|1[0-2])(?P=sep)"
    r"(?P<d>0[1-9]|[12]\d|3[01])(?!\d)"
)
#: Meta names that give the publication time, in order of trust.
_PUBLISHED_META: dict[str, int] = {
    "article:published_time": 1, "og:article:published_time": 1, "og:published_time": 1,
    "datepublished": 1, "article.published": 3, "publishdate": 3, "publish-date": 3,
    "publish_date": 3, "pubdate": 3, "parsely-pub-date": 3, "sailthru.date": 3,
    "dc.date.issued": 3, "dcterms.issued": 3, "citation_publication_date": 3,
    "citation_date": 3, "article:published": 3, "originalpublicationdate": 3,
    "date": 4, "dc.date": 4, "dcterms.date": 4, "dcterms.created": 4, "dc.date.created": 4,
}
_MODIFIED_META = frozenset({
    "article:modified_time", "og:updated_time", "datemodified", "last-modified",
    "dcterms.modified", "dc.date.modified", "article:modified",
})
_ARTICLE_TYPES = re.compile(r"article|posting|report|blog|review|story", re.I)
_PAGE_TYPES = re.compile(r"webpage|creativework", re.I)


def _walk_jsonld(node: Any, out: list[tuple[int, str, str]], depth: int = 0) -> None:
    """Collect (rank, key, value) of the dates of article-like objects (not videos, images...)."""
    if depth > 8:
        return
    if isinstance(node, list):
        for item in node:
            _walk_jsonld(item, out, depth + 1)
        return
    if not isinstance(node, dict):
        return
    types = node.get("@type")
    type_text = " ".join(map(str, types)) if isinstance(types, list) else str(types or "")
    if _ARTICLE_TYPES.search(type_text):
        rank: int | None = 0
    elif not type_text or _PAGE_TYPES.search(type_text):
        rank = 2
    else:
        rank = None  # a VideoObject's uploadDate is not the article's date
    if rank is not None:
        for key in ("datePublished", "dateCreated", "dateModified"):
            value = node.get(key)
            if isinstance(value, str) and value.strip():
                out.append((rank, key, value.strip()))
    for key, value in node.items():
        if key in ("@graph", "mainEntity", "mainEntityOfPage") or isinstance(value, list):
            _walk_jsonld(value, out, depth + 1)


def _parse_html(html: str) -> Any:
    """The page as an lxml tree, or ``None``.

    The text is already decoded, so it is handed to lxml as UTF-8 bytes with the encoding
    forced: a ``<meta charset=iso-8859-1>`` left in the page must not decode it a second time
    (that turned "März" into "MÃ¤rz" and hid the date).
    """
    try:
        from lxml import html as lxml_html

        parser = lxml_html.HTMLParser(encoding="utf-8")
        return lxml_html.fromstring(html.encode("utf-8", "surrogatepass"), parser=parser)
    except Exception:  # lxml refuses some documents outright (empty, only a comment...)
        return None


@lru_cache(maxsize=1)
def _itemprop_dates() -> Any:
    """Elements other than ``<meta>`` marked ``itemprop=datePublished/dateModified``, compiled
    once; ``[@itemprop]`` first lets the engine skip the other elements at once (3x faster)."""
    from lxml import etree

    return etree.XPath("//*[@itemprop][not(self::meta)]"
                       "[@itemprop='datePublished' or @itemprop='dateModified']")


def _metadata_dates(html: str, tree: Any = None) -> tuple[list[str], list[str]]:
    """Raw published / modified strings from JSON-LD, meta tags, itemprop and <time>, best first.

    ``tree``: the page already parsed with lxml (read only), to save a second parse.
    """
    published: list[tuple[int, str]] = []
    modified: list[tuple[int, str]] = []
    for block in _JSONLD.findall(html):
        block = _JSON_WRAPPING.sub("", block).strip().rstrip(";")
        found: list[tuple[int, str, str]] = []
        try:
            _walk_jsonld(json.loads(block, strict=False), found)
        except (ValueError, RecursionError):
            # broken JSON (a stray comma, an unescaped quote): still take its plain date keys
            found = [(2, m[1], m[2]) for m in _JSON_DATE_KEY.finditer(block)]
        for rank, key, value in found:
            if key == "datePublished":
                published.append((rank, value))
            elif key == "dateCreated":
                published.append((rank + 5, value))
            else:
                modified.append((rank, value))
    if tree is None:  # None after this: lxml refuses the document; metadata is JSON-LD only
        tree = _parse_html(html)
    if tree is not None:
        for meta in tree.iter("meta"):
            key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
            content = (meta.get("content") or "").strip()
            if not key or not content:
                continue
            if key in _PUBLISHED_META:
                published.append((_PUBLISHED_META[key], content))
            elif key in _MODIFIED_META:
                modified.append((4, content))
        for el in _itemprop_dates()(tree):
            value = (el.get("datetime") or el.get("content") or "").strip()
            if value:
                target = published if el.get("itemprop") == "datePublished" else modified
                target.append((1, value[:80]))
        # <time> elements marked as the publication time, only when they agree: listings and
        # comment threads carry many of them, and there the first is no better than a guess
        stamps = []
        for el in tree.iter("time"):
            value = (el.get("datetime") or "").strip()
            cls = (el.get("class") or "").lower()
            if value and (el.get("pubdate") is not None or "publish" in cls):
                stamps.append(value)
        if stamps and len({v[:10] for v in stamps}) == 1:
            published.append((5, stamps[0]))
    published.sort(key=lambda p: p[0])
    modified.sort(key=lambda p: p[0])
    return [v for _, v in published], [v for _, v in modified]


def date_from_url(url: str | None) -> ParsedDate | None:
    """A day written in the URL path (``/2019/10/18/``, ``-20191018-``), or ``None``."""
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]+", "", url, flags=re.I)
    for m in _URL_DATE.finditer(path):
        if m["sep"] == "" and not re.search(r"(?<!\d)\d{8}(?!\d)", path[m.start() - 1: m.end() + 1]
                                            if m.start() else path[: m.end() + 1]):
            continue
        day = _valid_day(int(m["y"]), int(m["m"]), int(m["d"]))
        if day:
            return ParsedDate(day.isoformat(), "day")
    return None


#: A metadata value that starts with an ISO day: its year says at once if it is plausible.
_ISO_YEAR = re.compile(r"\s*(\d{4})-\d{1,2}-\d{1,2}")
#: A line that holds a digit (a date it may carry needs one when no fetch time anchors words).
_DIGIT = re.compile(r"\d")


def _all_parsed(raws: Iterable[str], fetch: datetime | None) -> list[ParsedDate]:
    """Every plausible date among ``raws``, in their order (best source first)."""
    out = []
    for raw in raws:
        iso = _ISO_YEAR.match(raw)
        if iso and int(iso[1]) < MIN_TEXT_YEAR:
            # a placeholder ("0001-01-01T00:00:00Z", Go's zero time; the 1970 epoch): it would
            # be dropped below anyway, after a full trip through dateparser (~10 ms each)
            continue
        ymd = iso is not None or re.match(r"\s*\d{4}", raw) is not None
        found = parse_date(raw, fetched_at=fetch, date_order="YMD" if ymd else None)
        if found and int(found.iso[:4]) >= MIN_TEXT_YEAR:
            out.append(found)
    return out


def _first_parsed(raws: Iterable[str], fetch: datetime | None) -> ParsedDate | None:
    found = _all_parsed(raws, fetch)
    return found[0] if found else None


#: Which evidence gave :func:`dates_from_html`'s published date (see ``explain_html_dates``).
HtmlDateSource = Literal["metadata", "metadata+byline", "htmldate", "htmldate+byline", "text",
                         "url", "none"]


def dates_from_html(
    html: str,
    url: str | None = None,
    *,
    fetched_at: str | datetime | None = None,
    use_htmldate: bool = True,
    tree: Any = None,
) -> tuple[ParsedDate | None, ParsedDate | None]:
    """(published, modified) of a page: structured metadata, else htmldate, else the URL.

    JSON-LD/OpenGraph/itemprop/<time> carry the publisher's own offset, so they come first;
    htmldate (``original_date=True, extensive_search=True``) then searches the page; a day in
    the URL is the last resort. Where the sources disagree, the date printed in the visible
    byline settles it (see :func:`explain_html_dates`). ``tree``: the page already parsed with
    lxml (the extract step passes its own), so the searches below do not parse it again; it
    is left unchanged.
    """
    published, modified, _ = explain_html_dates(html, url, fetched_at=fetched_at,
                                                use_htmldate=use_htmldate, tree=tree)
    return published, modified


def explain_html_dates(
    html: str,
    url: str | None = None,
    *,
    fetched_at: str | datetime | None = None,
    use_htmldate: bool = True,
    tree: Any = None,
) -> tuple[ParsedDate | None, ParsedDate | None, HtmlDateSource]:
    """:func:`dates_from_html` plus which evidence won (for diagnostics and the benchmark).

    Rules, each a general signal rather than a site fix:

    - Metadata first. When the page's metadata disagree with themselves (two published days,
      or a modified day that differs), the day the visible byline prints wins if it is one of
      them: readers (and labels) see that date, typically "updated" on pages that re-date.
    - htmldate next. When its original-date and latest-date searches disagree it has found
      several candidate days and guessed, and when its answer is the page's declared modified
      day it missed the original one: a visible byline date then wins. A byline on htmldate's
      own day wins too (same day, and it may carry the time).
    - A bare ``YYYY-01-01`` from htmldate means it found only a year (often a copyright
      line): kept only when the visible text or the URL carries that same day.
    - The URL's day corrects a UTC metadata time near midnight to the publisher's day.
    """
    fetch = _fetch_time(fetched_at)
    pub_raw, mod_raw = _metadata_dates(html, tree)
    pub_all = _all_parsed(pub_raw, fetch)
    mod_all = _all_parsed(mod_raw, fetch)
    published = pub_all[0] if pub_all else None
    modified = mod_all[0] if mod_all else None
    url_day = date_from_url(url)
    source: HtmlDateSource = "metadata" if published else "none"
    text_cache: list[str] = []

    def byline() -> ParsedDate | None:
        """The visible text's best date, scored without the URL (independent evidence)."""
        if not text_cache:
            text_cache.append(visible_text(html, tree))
        return _scored_text_dates(text_cache[0], fetched_at=fetch)[0]

    if published is not None:
        others = [d for d in (*pub_all[1:], *([modified] if modified else []))
                  if d.day != published.day]
        if others:
            seen = byline()
            agreeing = [d for d in others if seen is not None and d.day == seen.day]
            if agreeing:
                published, source = agreeing[0], "metadata+byline"
    if published is None and use_htmldate:
        published = _htmldate(tree if tree is not None else html, url, fetch)
        if published is not None:
            source = "htmldate"
            if not published.iso.endswith("-01-01"):
                # The byline first: it is cheaper than a second htmldate search, which is only
                # needed when the byline names another day and nothing else settles it.
                seen = byline()
                if seen is not None and (
                        seen.day == published.day  # confirms the day, may add the time
                        or (modified is not None and modified.day == published.day)
                        or _htmldate_unsure(tree if tree is not None else html, url, fetch,
                                            published)):
                    published, source = seen, "htmldate+byline"
    if published is None or published.iso.endswith("-01-01"):
        # nothing, or only a year (htmldate says YYYY-01-01): read the visible bylines instead
        if not text_cache:
            text_cache.append(visible_text(html, tree))
        from_text, text_mod, _ = _scored_text_dates(text_cache[0], fetched_at=fetch, url=url)
        if from_text is not None:
            published, source = from_text, "text"
        elif source == "htmldate" and published is not None and (
                url_day is None or url_day.day != published.day):
            published, source = None, "none"  # a bare year nobody else confirms
        modified = modified or text_mod
    if published is None and url_day is not None:
        published, source = url_day, "url"
    elif url_day and published and published.iso.endswith(("+00:00", "Z")) \
            and published.day != url_day.day:
        instant = datetime.fromisoformat(published.iso.replace("Z", "+00:00"))
        near = {(instant + timedelta(hours=h)).date().isoformat() for h in (-8, 8)}
        if url_day.day in near:  # a UTC stamp near midnight; the URL has the publisher's day
            published, source = url_day, "url"
    return published, modified, source


_INVISIBLE = ("script", "style", "noscript", "template", "head", "svg", "iframe")


@lru_cache(maxsize=1)
def _text_nodes() -> Any:
    """Every text node under an element (texts and tails, not comments), as plain strings."""
    from lxml import etree

    return etree.XPath(".//text()", smart_strings=False)


def visible_text(html: str, tree: Any = None) -> str:
    """The text a reader sees on the page, one block per line (``tree``: already parsed; a
    copy is edited, not it)."""
    if tree is not None:
        tree = copy.deepcopy(tree)
    else:
        tree = _parse_html(html)
        if tree is None:  # unparseable page: no visible text to offer
            return ""
    for el in list(tree.iter(*_INVISIBLE)):
        if el.getparent() is not None:
            el.drop_tree()  # keeps the element's tail text in place
    # the text nodes in document order, as itertext() gives them, in one C call (6x faster)
    parts: list[str] = _text_nodes()(tree)
    # each line's whitespace collapsed, empty lines dropped; C iterators rather than Python
    # generators (most of a page's 2,000 lines are empty): 0.6 vs 0.7 ms a page
    return "\n".join(filter(None, map(" ".join, map(str.split, "\n".join(parts).splitlines()))))


def _htmldate_unsure(html: str | Any, url: str | None, fetch: datetime | None,
                     original: ParsedDate) -> bool:
    """htmldate's latest-date search lands on another day than its original-date search: it
    saw several candidate days and guessed."""
    latest = _htmldate(html, url, fetch, original=False)
    return latest is not None and latest.day != original.day


def _htmldate(
    html: str | Any, url: str | None, fetch: datetime | None, *, original: bool = True
) -> ParsedDate | None:
    """htmldate's day; ``original=False`` asks for the latest date it sees instead.

    ``html`` may be the page already parsed (an lxml tree): htmldate then prunes a copy
    instead of parsing the markup again. The tree the extract step hands over was parsed
    without comments, so htmldate's pattern search no longer scans them (build stamps, cache
    notes): on 741 pages 3 answers differ, none of them for the worse, and a run costs about
    a quarter less. The search itself is :func:`_htmldate_search` (htmldate's extensive
    search without dateparser, the page's scripts bounded), or htmldate's own ``find_date``
    when this htmldate's internals are not the ones it was written against.
    """
    max_date = (fetch + _ZONE_SLACK).date().isoformat() if fetch else None
    try:
        api = _htmldate_api()
        if api is not None:
            found = _htmldate_search(api, html, url, original, max_date)
        else:
            from htmldate import find_date

            found = find_date(html, url=url, original_date=original, extensive_search=True,
                              max_date=max_date)
    except ImportError:  # htmldate ships with trafilatura; without it we rely on metadata
        return None
    except Exception:  # htmldate raises on some malformed pages; no date beats a crash
        return None
    if not found:
        return None
    try:
        return ParsedDate(date.fromisoformat(found).isoformat(), "day")
    except ValueError:
        return None


#: The htmldate internals :func:`_htmldate_search` calls, all imported by ``htmldate.core``.
_HTMLDATE_NAMES = (
    "Extractor", "get_max_date", "get_min_date", "load_html", "extract_url_date",
    "examine_header", "json_search", "examine_abbr_elements", "clean_html", "CLEANING_LIST",
    "discard_unwanted", "examine_elements", "date_candidates", "examine_time_elements",
    "serialize", "pattern_search", "TIMESTAMP_PATTERN", "img_search", "idiosyncrasies_search",
    "FREE_TEXT_EXPRESSIONS", "MIN_SEGMENT_LEN", "MAX_SEGMENT_LEN", "compare_reference",
    "check_extracted_reference", "search_page",
)


@lru_cache(maxsize=1)
def _htmldate_api() -> Any:
    """``htmldate.core`` when it has every name :func:`_htmldate_search` needs, else ``None``
    (another htmldate version: its own ``find_date`` is used instead)."""
    try:
        from htmldate import core
    except ImportError:
        return None
    return core if all(hasattr(core, name) for name in _HTMLDATE_NAMES) else None


#: The most text of one ``<script>``/``<style>`` element htmldate's pattern passes read.
#: They scan the serialised page a dozen times (~0.8 µs a character in all): a 3.4 MB
#: page-state blob made one 5 MB page cost 4 s. A page's dates in a script (JSON-LD, a
#: ``"datePublished"`` key) sit in its first kilobytes; JSON-LD is read whole by
#: :func:`_metadata_dates` anyway.
SCRIPT_TEXT_CAP = 300_000


def _htmldate_search(
    api: Any, html: str | Any, url: str | None, original: bool, max_date: str | None
) -> str | None:
    """htmldate's ``find_date(extensive_search=True)``, step for step, with two changes.

    1. Date strings its own parsers cannot read are not handed to dateparser:
       ``extensive`` is off for the string parser only (every element is still a candidate
       and the page-wide pattern search still runs). htmldate's dateparser loads all ~200
       locales (3.7 s once per process, in every worker) and then tries them all on each such
       string (30-60 ms); on 741 benchmark pages it was asked 18 times, answered 5, and
       changed one final date (from one wrong day to another). The visible-text byline reader
       that runs after htmldate reads the pages' own languages instead.
    2. The text of each script and style is cut to :data:`SCRIPT_TEXT_CAP` characters in
       htmldate's working copy before its pattern passes scan the serialised page.
    """
    tree = api.load_html(html)
    if tree is None:
        return None
    options = api.Extractor(False, api.get_max_date(max_date), api.get_min_date(None),
                            original, "%Y-%m-%d")
    if url is None:
        canonical = tree.find('.//link[@rel="canonical"]')
        if canonical is not None:
            url = canonical.get("href")
    result = (api.extract_url_date(url, options) or api.examine_header(tree, options)
              or api.json_search(tree, options) or api.examine_abbr_elements(tree, options))
    if result is not None:
        return str(result)
    # htmldate prunes its own copy of a tree it is given; a tree it parsed itself is its own
    search_tree: Any = copy.deepcopy(tree) if tree is html else tree
    for el in search_tree.iter("script", "style"):
        if el.text and len(el.text) > SCRIPT_TEXT_CAP:
            el.text = el.text[:SCRIPT_TEXT_CAP]
    # lxml may refuse NULL bytes or control characters: then the tree is searched as it is,
    # as htmldate does (the cleaning works in place, so nothing else is lost)
    with contextlib.suppress(ValueError):
        search_tree = api.discard_unwanted(api.clean_html(search_tree, api.CLEANING_LIST))
    result = (api.examine_elements(_date_candidates(api, search_tree), options)
              or api.examine_elements(search_tree.xpath(".//title|.//h1"), options)
              or api.examine_time_elements(search_tree, options))
    if result is not None:
        return str(result)
    page = api.serialize(search_tree)
    result = (api.pattern_search(page, api.TIMESTAMP_PATTERN, options)
              or api.img_search(search_tree, options)
              or api.idiosyncrasies_search(page, options))
    if result is not None:
        return str(result)
    reference = None
    for segment in api.FREE_TEXT_EXPRESSIONS(search_tree):
        segment = segment.strip()
        if api.MIN_SEGMENT_LEN < len(segment) < api.MAX_SEGMENT_LEN:
            reference = api.compare_reference(reference, segment, options)
    found = api.check_extracted_reference(reference, options) or _search_page(api, page, options)
    return str(found) if found else None




@lru_cache(maxsize=1)
def _cue_attributes() -> Any:
    """The ``id``/``class``/``itemprop`` values under an element and its footer and small
    elements, in document order (values knowing their element), compiled once."""
    from lxml import etree

    return etree.XPath(".//@id|.//@class|.//@itemprop|.//footer|.//small")


def _date_candidates(api: Any, tree: Any) -> list[Any]:
    """htmldate's ``date_candidates(tree, extensive_search=True)``, the same elements in the
    same order, without a Python call per element.

    htmldate tests every element below the root (1,000 a page) for a date cue in its
    ``id``/``class``/``itemprop``; an element can pass only if one of those values holds a
    cue, so only such values' elements are handed to its test (``footer``/``small`` always
    count). Falls back to htmldate's own function if its cue names are missing.
    """
    if not all(hasattr(api, n) for n in ("ID_CLASS_CUES", "CLASS_CUES", "is_date_candidate")):
        return list(api.date_candidates(tree, True))
    id_class, classes, test = api.ID_CLASS_CUES, api.CLASS_CUES, api.is_date_candidate
    out: list[Any] = []
    for node in _cue_attributes()(tree):
        if isinstance(node, str):  # an attribute value
            folded = node.replace("D", "d")
            if not ("date" in folded or "datum" in folded or id_class.search(node)
                    or classes.search(node) or "footer-info-lastmod" in node):
                continue
            el = node.getparent()  # type: ignore[attr-defined]
            if el is tree or (out and out[-1] is el):
                continue  # the root is not its own descendant; one element, several values
            if test(el):
                out.append(el)
        elif not out or out[-1] is not node:  # a footer or small element
            out.append(node)
    return out

#: htmldate's page-wide patterns whose every match is one non-digit, a run of digits with
#: single separator characters between them, and one non-digit (SIMPLE_PATTERN also looks
#: six characters further back, at a "w3.org" that holds a digit itself).
_DIGIT_LED = MappingProxyType({
    "THREE_LOOSE_PATTERN": r"\D([0-9]{4}[/.-][0-9]{2}[/.-][0-9]{2})\D",
    "SELECT_YMD_PATTERN": r"\D([0-3]?[0-9][/.-][0-1]?[0-9][/.-][0-9]{4})\D",
    "DATESTRINGS_PATTERN": r"(\D19[0-9]{2}[01][0-9][0-3][0-9]\D|\D20[0-9]{2}[01][0-9][0-3][0-9]\D)",
    "SLASHES_PATTERN": r"\D([0-3]?[0-9]/[0-1]?[0-9]/[0129][0-9]|"
                       r"[0-3][0-9]\.[01][0-9]\.[0129][0-9])\D",
    "YYYYMM_PATTERN": r"\D([12][0-9]{3}[/.-](?:1[0-2]|0[1-9]))\D",
    "MMYYYY_PATTERN": r"\D([0-1]?[0-9][/.-][12][0-9]{3})\D",
    "SIMPLE_PATTERN": r"(?<!w3.org)\D((?:199[0-9]|20[0-3][0-9]))\D",
})
#: htmldate's month-name pattern (``regex_parse``): "March 5, 2021" or "5th of March 2021".
_MONTH_NAME_DATE = (
    r"(?P<month>(?<![^\W\d_])[^\W\d_]{3,})\s(?P<day>[0-3]?[0-9])(?:st|nd|rd|th)?,? "
    r"(?P<year>(?:199[0-9]|20[0-3][0-9]))|(?P<day2>[0-3]?[0-9])(?:st|nd|rd|th|\.)? (?:of )?"
    r"(?P<month2>(?<![^\W\d_])[^\W\d_]{3,})[,.]? (?P<year2>(?:199[0-9]|20[0-3][0-9]))")
#: A stretch of the page without an ASCII digit long enough to be worth cutting.
_DIGITLESS = re.compile(r"[^0-9]{24,}")
#: A character "5th of March, " (the only digit-free text a match spans) cannot hold.
_UNSPANNABLE = re.compile(r"[^\w .,]|[\d_]")
_WORD_LETTER = re.compile(r"[^\W\d_]")
_WHITESPACE = re.compile(r"\s")


def _cut_digitless(m: re.Match[str]) -> str:
    """One stretch of :func:`_squeeze_page`: its first character, a newline, and its last
    word (with the non-letter before it and the whitespace after it)."""
    text = m.group()
    if _UNSPANNABLE.search(text) is None:
        return text  # prose such a match may span ("5th of September, "): kept whole
    j = len(text)
    if _WHITESPACE.match(text, j - 1):
        j -= 1
    while j > 0 and _WORD_LETTER.match(text, j - 1):
        j -= 1
    return text if j < 4 else text[0] + "\n" + text[j - 1:]


def _squeeze_page(page: str) -> str:
    """``page`` for htmldate's page-wide searches, with what they cannot match cut out.

    Every match of a :data:`_DIGIT_LED` pattern or of the month-name pattern holds an ASCII
    digit, and the only digit-free text one spans is a single separator or, in "5th of
    March, 2021", letters, spaces, dots and commas. So in a digit-free stretch that holds any
    other character (markup: ``<``, ``=``, a newline...) a match can use only the stretch's
    first character (the non-digit closing a number) and its last word (the month before
    "March 5", with the character before it and the whitespace after). Keeping those around
    a newline, which no match can use, every pattern finds the same strings in the same
    order. On the 46 wcxb pages that reach this search, 90,000 characters a page became
    13,000: the patterns' scans fell from 58 to 9 ms a page, for a 3.5 ms cut.
    """
    return _DIGITLESS.sub(_cut_digitless, page)


#: The other htmldate internals :func:`_search_page` calls.
_SEARCH_PAGE_NAMES = (
    "search_pattern", "COPYRIGHT_PATTERN", "YEAR_PATTERN", "is_valid_date",
    "_search_and_filter", "THREE_PATTERN", "THREE_LOOSE_CATCH", "search_normalized",
    "SELECT_YMD_YEAR", "normalize_match", "THREE_COMP_REGEX_A", "THREE_COMP_REGEX_B",
    "DATESTRINGS_CATCH", "SLASHES_YEAR", "YYYYMM_CATCH", "_finalize_candidate",
    "normalize_two_comp", "regex_parse",
)


def _squeezable(api: Any) -> bool:
    """This htmldate has every name :func:`_search_page` calls and the digit-led patterns
    :func:`_squeeze_page` was reasoned about."""
    if not all(hasattr(api, name) for name in _SEARCH_PAGE_NAMES):
        return False
    month_names = getattr(sys.modules.get(api.regex_parse.__module__), "LONG_TEXT_PATTERN", None)
    return getattr(month_names, "pattern", None) == _MONTH_NAME_DATE and all(
        getattr(getattr(api, name, None), "pattern", None) == source
        for name, source in _DIGIT_LED.items())


def _search_page(api: Any, page: str, options: Any) -> str | None:
    """htmldate's ``search_page``, step for step, its digit-led and month-name patterns run
    over :func:`_squeeze_page`'s page (the copyright and URL-path searches, which jump from
    one literal to the next, read the whole page); htmldate's own function when its patterns
    are not the ones :func:`_squeeze_page` was reasoned about."""
    if not _squeezable(api):
        return api.search_page(page, options)
    copyear = 0
    bestmatch = api.search_pattern(page, api.COPYRIGHT_PATTERN, api.YEAR_PATTERN,
                                   api.YEAR_PATTERN, options)
    if bestmatch is not None:
        year = int(bestmatch[1])
        if api.is_valid_date(datetime(year, 1, 1), "%Y", earliest=options.min,
                             latest=options.max):
            copyear = year
    result = api._search_and_filter(page, api.THREE_PATTERN, api.THREE_LOOSE_CATCH, copyear,
                                    options)
    if result is not None:
        return str(result)
    squeezed = _squeeze_page(page)
    result = (
        api._search_and_filter(squeezed, api.THREE_LOOSE_PATTERN, api.THREE_LOOSE_CATCH,
                               copyear, options)
        or api.search_normalized(squeezed, api.SELECT_YMD_PATTERN, api.SELECT_YMD_YEAR,
                                 partial(api.normalize_match, api.THREE_COMP_REGEX_A),
                                 copyear, options)
        or api._search_and_filter(squeezed, api.DATESTRINGS_PATTERN, api.DATESTRINGS_CATCH,
                                  copyear, options)
        or api.search_normalized(squeezed, api.SLASHES_PATTERN, api.SLASHES_YEAR,
                                 partial(api.normalize_match, api.THREE_COMP_REGEX_B),
                                 copyear, options))
    if result is not None:
        return str(result)
    bestmatch = api.search_pattern(squeezed, api.YYYYMM_PATTERN, api.YYYYMM_CATCH,
                                   api.YEAR_PATTERN, options)
    if bestmatch is not None:
        result = api._finalize_candidate(datetime(int(bestmatch[1]), int(bestmatch[2]), 1),
                                         copyear, options)
        if result is not None:
            return str(result)
    result = (api.search_normalized(squeezed, api.MMYYYY_PATTERN, api.SELECT_YMD_YEAR,
                                    api.normalize_two_comp, copyear, options)
              or api._finalize_candidate(api.regex_parse(squeezed), copyear, options))
    if result is not None:
        return str(result)
    if copyear != 0:
        return datetime(copyear, 1, 1).strftime(options.format)
    bestmatch = api.search_pattern(squeezed, api.SIMPLE_PATTERN, api.YEAR_PATTERN,
                                   api.YEAR_PATTERN, options)
    if bestmatch is not None:
        found = api._finalize_candidate(datetime(int(bestmatch[1]), 1, 1), copyear, options)
        return None if found is None else str(found)
    return None


# --------------------------------------------------------------------------------------------
# plain text

#: How much each signal counts when choosing among the dates of a plain text.
W = MappingProxyType({
    "position": 2.0, "crowd": 0.4, "cue": 1.0, "short": 1.0, "alone": 0.0, "context": 1.5,
    "repeat": 0.0,
})


_PUBLISHED_CUE = re.compile(
    r"\b(?:published|posted|pubblicato|pubblicata|publié|publiée|publicado|publicada|"
    r"veröffentlicht|erschienen|erstellt|date|datum|fecha|data|stand|on|am|le|el|il|em|"
    r"von|by|por|par|di|door)\b\W*$",
    re.I,
)
_MODIFIED_CUE = re.compile(
    r"\b(?:updated?|modified|aktualisiert|geändert|mis à jour|actualizado|actualizada|"
    r"atualizado|atualizada|aggiornato|aggiornata|last edited|zuletzt)\b",
    re.I,
)
_NOT_PUBLICATION = re.compile(
    r"©|\(c\)|copyright|reply|antworten|répondre|responder|rispondi|says:|sagt:|"
    r"kommentar|comment|geboren|born|\bbis\b|–\s*$|events?|termin|veranstaltung",
    re.I,
)


def dates_from_text(
    text: str,
    *,
    languages: Sequence[str] | None = None,
    fetched_at: str | datetime | None = None,
    url: str | None = None,
    max_lines: int = 5000,
) -> tuple[ParsedDate | None, ParsedDate | None]:
    """(published, modified) from bylines and stamps in plain text.

    Scores every date by where it stands: a publication cue word or a short byline-like line
    makes it likely, a comment/copyright/event context makes it unlikely, earlier beats later;
    a day also written in the URL wins outright.
    """
    published, modified, _ = _scored_text_dates(text, languages=languages, fetched_at=fetched_at,
                                                url=url, max_lines=max_lines)
    return published, modified


def _scored_text_dates(
    text: str,
    *,
    languages: Sequence[str] | None = None,
    fetched_at: str | datetime | None = None,
    url: str | None = None,
    max_lines: int = 5000,
) -> tuple[ParsedDate | None, ParsedDate | None, float]:
    fetch = _fetch_time(fetched_at)
    lines = [ln for ln in text.splitlines() if ln.strip()][:max_lines]
    order = page_date_order(lines) or date_order_for(languages, url)
    url_day = date_from_url(url)
    found: list[tuple[int, str, DateMatch]] = []
    for index, line in enumerate(lines):
        if len(line) > 600 or (fetch is None and not _DIGIT.search(line)):
            continue
        for dm in find_dates_in_line(line, languages=languages, fetched_at=fetch,
                                     date_order=order, min_year=MIN_TEXT_YEAR):
            found.append((index, line, dm))
    if not found:
        return url_day, None, 0.0
    counts: dict[str, int] = {}
    for _, _, dm in found:
        counts[dm.date.day] = counts.get(dm.date.day, 0) + 1
    by_line: dict[int, set[str]] = {}
    for index, _, dm in found:
        by_line.setdefault(index, set()).add(dm.date.day)
    best: tuple[float, ParsedDate] | None = None
    best_mod: tuple[float, ParsedDate] | None = None
    n = len(lines)
    for index, line, dm in found:
        before = line[max(0, dm.start - 40): dm.start]
        score = W["position"] * (1.0 - index / (n + 20))
        # a date among other dates (a listing, comments, an archive widget) is rarely the story's
        neighbours = {d for i in range(index - 4, index + 5) if i != index
                      for d in by_line.get(i, ()) if d != dm.date.day}
        score -= W["crowd"] * min(len(neighbours), 3)
        if _MODIFIED_CUE.search(before):
            if best_mod is None or score + 1 > best_mod[0]:
                best_mod = (score + 1, dm.date)
            score -= 0.5
        if _PUBLISHED_CUE.search(before):
            score += W["cue"]
        rest = len(line.strip()) - (dm.end - dm.start)
        if rest < 40:
            score += W["short"]
        if rest < 12:
            score += W["alone"]
        if _NOT_PUBLICATION.search(line):
            score -= W["context"]
        if dm.relative:
            score -= 0.3
        if url_day and dm.date.day == url_day.day:
            score += 3
        score += W["repeat"] * min(counts[dm.date.day] - 1, 3)
        if best is None or score > best[0]:
            best = (score, dm.date)
    published = best[1] if best else url_day
    if published and url_day and published.day != url_day.day:
        published = url_day
    modified = best_mod[1] if best_mod and (published is None or best_mod[1] != published) else None
    return published, modified, best[0] if best else 0.0


# --------------------------------------------------------------------------------------------
# the step

#: ``hints["html_dates"]``: the ``(published, modified)`` pair :func:`dates_from_html` found.
HTML_DATES_HINT = "html_dates"


def _article_languages(article: Article) -> tuple[str, ...] | None:
    lang = article.language or article.hints.get("language_raw")
    return (str(lang).split("-")[0].lower(),) if lang else None


def assign_dates(article: Article) -> Article:
    """Step: set ``published``/``modified`` from the best evidence the record carries.

    Order: the record's own date fields (``published_raw``/``modified_raw``), then the HTML's
    structured metadata (``html_dates``), then stamps the stamps cleaner cut
    (``stamp_dates``), then bylines in the text. Unparseable or future values are skipped.
    """
    langs = _article_languages(article)
    fetch = article.fetched_at
    url = article.url
    kw: dict[str, Any] = {"languages": langs, "fetched_at": fetch, "url": url}

    html_pub: ParsedDate | None = None
    html_mod: ParsedDate | None = None
    html_dates = article.hints.get(HTML_DATES_HINT)
    if isinstance(html_dates, tuple) and len(html_dates) == 2:
        html_pub, html_mod = html_dates
    elif article.hints.get("html") is not None:
        html_pub, html_mod = dates_from_html(article.hints["html"], url, fetched_at=fetch)
    html_pub = _resolve(html_pub, _fetch_time(fetch), False) if html_pub else None

    published: ParsedDate | None = None
    raw = article.hints.get("published_raw")
    if raw:
        published = parse_date(str(raw), **kw)
    published = published or html_pub
    # stamps: "Updated ..." ones say when the story changed, the others when it appeared
    stamp_pub: ParsedDate | None = None
    stamp_mod: ParsedDate | None = None
    for stamp in (str(s) for s in article.hints.get("stamp_dates", ()) if s):
        found = parse_date(stamp, **kw) or find_date_in_line(stamp, **kw)
        if found is None:
            continue
        if _MODIFIED_CUE.search(stamp):
            stamp_mod = stamp_mod or found
        else:
            stamp_pub = stamp_pub or found
    published = published or stamp_pub
    text_mod: ParsedDate | None = None
    if published is None and article.text:
        published, text_mod = dates_from_text(article.text[:20000], **kw)

    modified: ParsedDate | None = None
    raw_mod = article.hints.get("modified_raw")
    if raw_mod:
        modified = parse_date(str(raw_mod), **kw)
    modified = modified or html_mod or stamp_mod or text_mod
    if modified is not None:
        modified = _resolve(modified, _fetch_time(fetch), False)

    changes: dict[str, Any] = {}
    if published is not None:
        changes["published"] = published.iso
        changes["published_precision"] = published.precision
    if modified is not None:
        changes["modified"] = modified.iso
    return article.evolve(**changes) if changes else article


assign_dates.name = "dates"  # type: ignore[attr-defined]
