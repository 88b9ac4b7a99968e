"""JUnit XML for CI dashboards, built with :mod:`xml.etree.ElementTree`.

One ``<testsuite>`` per chapter; one ``<testcase>`` per claim link (``8-14 link 2``) and per
definition (``z_2``). A link that is not verified carries a ``<failure>`` with the
diagnosis and the fix; inconclusive is ``<skipped>``; error is ``<error>``. Chapters that
could not be read become ``<error>`` test cases in a suite named ``input``. Chapter-level
findings go to the suite's ``<system-out>``. No timestamps, so output is byte-stable.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from .model import ChapterResult, Report, Verdict
from .common import cases, chapter_name, failure_message, failure_text

FAILED = (Verdict.MISMATCH, Verdict.INCONSISTENT)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("\ufffd", text)


def _counts(suite: ET.Element) -> dict[str, int]:
    tcs = suite.findall("testcase")
    return {"tests": len(tcs),
            "failures": sum(tc.find("failure") is not None for tc in tcs),
            "errors": sum(tc.find("error") is not None for tc in tcs),
            "skipped": sum(tc.find("skipped") is not None for tc in tcs)}


def _set_counts(el: ET.Element, c: dict[str, int]) -> None:
    for key in ("tests", "failures", "errors", "skipped"):
        el.set(key, str(c[key]))
    el.set("time", "0")


def build(report: Report) -> ET.Element:
    """The ``<testsuites>`` element for ``report``."""
    root = ET.Element("testsuites", name="derive")
    for chapter in report.chapters:
        root.append(_suite(chapter, report))
    if report.errors:
        suite = ET.SubElement(root, "testsuite", name="input")
        for k, err in enumerate(report.errors, start=1):
            tc = ET.SubElement(suite, "testcase", classname="input", name=f"input error {k}",
                               time="0")
            ET.SubElement(tc, "error", message=_x(err), type="input").text = _x(err)
        _set_counts(suite, _counts(suite))
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root.findall("testsuite"):
        for key, n in _counts(suite).items():
            total[key] += n
    _set_counts(root, total)
    return root


def _suite(chapter: ChapterResult, report: Report) -> ET.Element:
    classname = chapter_name(chapter)
    suite = ET.Element("testsuite", name=_x(chapter.file))
    props = ET.SubElement(suite, "properties")
    for name, value in (("title", chapter.title), ("convention", chapter.convention or ""),
                        ("verdict", chapter.verdict), ("seed", str(report.seed)),
                        ("numeric", "on" if report.numeric else "off")):
        ET.SubElement(props, "property", name=name, value=_x(value))
    for case in cases(chapter):
        e = case.equation
        attrs = {"classname": _x(classname), "name": _x(case.name),
                 "file": _x(e.file or chapter.file), "time": "0"}
        if e.line is not None:
            attrs["line"] = str(e.line)
        tc = ET.SubElement(suite, "testcase", attrs)
        verdict = case.verdict
        if verdict in FAILED:
            ET.SubElement(tc, "failure", message=_x(failure_message(chapter, case)),
                          type=verdict).text = _x(failure_text(chapter, case))
        elif verdict == Verdict.INCONCLUSIVE:
            ET.SubElement(tc, "skipped", message=_x(failure_message(chapter, case)))
        elif verdict == Verdict.ERROR:
            ET.SubElement(tc, "error", message=_x(failure_message(chapter, case)),
                          type=verdict).text = _x(failure_text(chapter, case))
    if chapter.findings:
        lines = ["chapter findings:"]
        for f in chapter.findings:
            lines.append(f"[{f.label}] ({f.severity}) {f.message}")
            if f.suggestion:
                lines.append(f"    fix: {f.suggestion}")
        ET.SubElement(suite, "system-out").text = _x("\n".join(lines))
    _set_counts(suite, _counts(suite))
    return suite


def render(report: Report, stream: TextIO) -> None:
    root = build(report)
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")
