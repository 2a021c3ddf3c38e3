"""Independent referee for calendar times in tests: the occurrences of each event series in
iCalendar files, as python `icalendar` (4.x) and `recurring-ical-events` (2.x) read them.

stdin:  {"files": [{"path": "...", "from": "YYYY-MM-DD" | null, "to": "YYYY-MM-DD" | null}]}
stdout: {"<path>": {"ok": true, "events": [{"uid": "..." | null, "occurrences": [
            {"start": "...", "end": "...", "recurrenceId": "..." | null, "status"?: "..."}]}]}
         | {"ok": false, "error": "..."}}

Times: a datetime with a zone is given in UTC (YYYY-MM-DDTHH:MM:SSZ), a floating datetime
without Z (YYYY-MM-DDTHH:MM:SS), a date as YYYY-MM-DD. `recurrenceId` is the RECURRENCE-ID of
the component an occurrence comes from (an override), null for the master's own occurrences.
`status` is the occurrence's STATUS when it has one (a cancelled override stays listed).

Window: `from` and `to` are whole days, both included, read in each event's own zone. Without
`from`, it is the day of the file's first DTSTART; without `to`, the day the last series ends,
but the window never reaches two years past its start.

Each VCALENDAR of a file is read on its own with an empty time-zone cache (icalendar keeps the
VTIMEZONEs it has read in a module-level dict keyed by TZID, which would otherwise carry one
file's "Eastern" into the next). Events are listed per UID in the order they first appear; a
UID in several VCALENDARs gets each one's occurrences in turn (an override in one VCALENDAR
does not replace an occurrence of another's master).
A file that cannot be read is reported as {"ok": false} with the error; the run goes on.
"""
import datetime
import json
import os
import re
import sys
import traceback

import icalendar
import recurring_ical_events
from icalendar.timezone_cache import _timezone_cache

# A series with more occurrences than this in the default window (an unbounded SECONDLY rule,
# say) is reported as an error rather than enumerated for minutes.
MAX_OCCURRENCES_PER_SERIES = 50_000
MAX_ERROR_CHARS = 400
CALENDAR_START = re.compile(rb"^BEGIN:VCALENDAR[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
# icalendar drops a VEVENT or VTIMEZONE property it cannot read and goes on; when the dropped
# property decides times, the referee's answer would not be the file's, so it gives none.
TIME_COMPONENTS = {"VEVENT", "VTIMEZONE", "STANDARD", "DAYLIGHT"}
TIME_PROPERTIES = {"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "TZID", "TZOFFSETFROM", "TZOFFSETTO"}
UNPARSED_LINE = re.compile(r"could not be parsed into parts: '([A-Za-z-]+)[;:]")


class RefereeError(Exception):
    """A file the referee declines to read, with a sentence saying why."""


def main():
    request = json.load(sys.stdin)
    files = request.get("files") if isinstance(request, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, dict) and isinstance(f.get("path"), str) for f in files):
        sys.exit('occurrences.py: stdin must be {"files": [{"path": "...", "from": ..., "to": ...}]}')
    results = {f["path"]: read_file(f["path"], f.get("from"), f.get("to")) for f in files}
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")


def read_file(path, window_from, window_to):
    try:
        with open(path, "rb") as handle:
            content = handle.read()
        calendars = [parse_calendar(chunk) for chunk in split_calendars(content)]
        unfolded = [recurring_ical_events.of(calendar) for calendar in calendars]
        series = [repeated for calendar in unfolded for repeated in calendar.repetitions]
        if not series:
            return {"ok": True, "events": []}
        start, stop = window(series, parse_day(window_from), parse_day(window_to))
        events = {}
        for calendar in unfolded:
            for uid, occurrences in group_by_uid(calendar.between(start, stop)).items():
                events.setdefault(uid, []).extend(sorted(occurrences, key=lambda o: o[0]))
        return {
            "ok": True,
            "events": [{"uid": uid, "occurrences": [o[1] for o in occurrences]} for uid, occurrences in events.items()],
        }
    except Exception as error:  # one file's failure is that file's result, never the run's
        return {"ok": False, "error": describe_error(error)}


def split_calendars(content):
    """The file's VCALENDARs, each as its own text (anything before the first stays with it)."""
    starts = [match.start() for match in CALENDAR_START.finditer(content)]
    if not starts:
        return [content]
    starts[0] = 0
    return [content[begin:end] for begin, end in zip(starts, starts[1:] + [len(content)])]


def parse_calendar(chunk):
    """One VCALENDAR read with only its own VTIMEZONEs in icalendar's cache."""
    _timezone_cache.clear()
    components = icalendar.Calendar.from_ical(chunk, multiple=True)
    if _timezone_cache:
        # icalendar resolves a TZID while reading the line, so a VTIMEZONE placed after the
        # events that use it is only known on a second reading.
        components = icalendar.Calendar.from_ical(chunk, multiple=True)
    _timezone_cache.clear()
    if len(components) != 1:
        raise RefereeError(f"expected one component per BEGIN:VCALENDAR, found {len(components)}")
    check_dropped_properties(components[0])
    return components[0]


def check_dropped_properties(calendar):
    for component in calendar.walk():
        if component.name not in TIME_COMPONENTS:
            continue
        for name, message in component.errors:
            unparsed = UNPARSED_LINE.search(message) if name is None else None
            name = unparsed.group(1).upper() if unparsed else name
            if name in TIME_PROPERTIES:
                owner = component.get("UID") or component.get("TZID")
                where = f"{component.name} {owner}" if owner else component.name
                raise RefereeError(f"icalendar could not read {name} of {where}: {message}")


def parse_day(value):
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise RefereeError(f"a window day must be YYYY-MM-DD, not {value!r}")
    return datetime.date.fromisoformat(value)


def window(series, window_from, window_to):
    """[start, stop) as days: stop is the day after `to`."""
    start = window_from or min(local_day(repeated.original_start) for repeated in series)
    limit = add_years(start, 2)
    if window_to is not None:
        return start, window_to + datetime.timedelta(days=1)
    last_day = max(last_end_day(repeated, limit) for repeated in series)
    return start, min(limit, last_day + datetime.timedelta(days=1))


def last_end_day(repeated, limit):
    """The day the series' last occurrence before `limit` ends (overrides: their own end)."""
    if repeated.is_recurrence():
        return max(local_day(repeated.original_start), local_day(repeated.original_end))
    limit_time = recurring_ical_events.convert_to_datetime(
        datetime.datetime(limit.year, limit.month, limit.day), repeated.tzinfo
    )
    last = repeated.start
    for count, occurrence_start in enumerate(repeated.rule, start=1):
        if occurrence_start >= limit_time:
            break
        if count > MAX_OCCURRENCES_PER_SERIES:
            raise RefereeError(
                f"series {repeated.component.get('UID')} has more than {MAX_OCCURRENCES_PER_SERIES} "
                "occurrences in two years; give a narrower window"
            )
        last = occurrence_start
    return local_day(last + repeated.duration)


def group_by_uid(vevents):
    groups = {}
    for vevent in vevents:
        uid = vevent.get("UID")
        start = vevent["DTSTART"].dt
        end_property = vevent.get("DTEND")
        recurrence_id = vevent.get("RECURRENCE-ID")
        occurrence = {
            "start": format_time(start),
            "end": format_time(end_property.dt if end_property is not None else start),
            "recurrenceId": format_time(recurrence_id.dt) if recurrence_id is not None else None,
        }
        if vevent.get("STATUS") is not None:
            occurrence["status"] = str(vevent["STATUS"])
        groups.setdefault(str(uid) if uid is not None else None, []).append((sort_key(start), occurrence))
    return groups


def format_time(value):
    if isinstance(value, datetime.datetime):
        if value.utcoffset() is None:
            return value.strftime("%Y-%m-%dT%H:%M:%S")
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def sort_key(value):
    if isinstance(value, datetime.datetime):
        if value.utcoffset() is None:
            return value
        return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return datetime.datetime(value.year, value.month, value.day)


def local_day(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def describe_error(error):
    """The error's type and text, and where it was raised (the library's file and function)."""
    if isinstance(error, RefereeError):
        return str(error)
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    if len(text) > MAX_ERROR_CHARS:
        text = text[:MAX_ERROR_CHARS] + "…"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if os.path.abspath(f.filename) != os.path.abspath(__file__)]
    if frames:
        text += f" (in {frame_name(frames[-1])}" + (f", called from {frame_name(frames[0])})" if len(frames) > 1 else ")")
    return text


def frame_name(frame):
    folder = os.path.basename(os.path.dirname(frame.filename))
    module = os.path.basename(frame.filename) if folder in ("dist-packages", "site-packages") else f"{folder}/{os.path.basename(frame.filename)}"
    return f"{module} {frame.name}"


if __name__ == "__main__":
    main()
