#!/usr/bin/env python3
"""Counts individual test cases from a Bazel build-event JSON file and its test XML files.

Prints one closing line, `N passed, M failed[, K skipped]`, and exits 1 when anything failed.
A test target that did not build, timed out or crashed without XML counts as one failed case.
"""
import json
import sys
import urllib.parse
import xml.etree.ElementTree as ET


def xml_counts(path):
    """(passed, failed, skipped, failed_names) from one JUnit XML file, or None."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    passed = failed = skipped = 0
    failed_names = []
    for case in root.iter("testcase"):
        name = f"{case.get('classname', '')}.{case.get('name', '')}".strip(".")
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            failed_names.append(name)
        elif (case.find("skipped") is not None or case.get("result") == "skipped"
              or case.get("status") == "notrun"):
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped, failed_names


def main():
    if len(sys.argv) not in (2, 3):
        print("usage: test_summary.py BUILD_EVENTS.json [BAZEL_EXIT_CODE]", file=sys.stderr)
        return 2
    bazel_status = int(sys.argv[2]) if len(sys.argv) == 3 else 0
    test_targets = set()
    # (label, run, shard) -> (attempt, status, xml path)
    results = {}
    with open(sys.argv[1], encoding="utf-8") as events:
        for line in events:
            event = json.loads(line)
            ident = event.get("id", {})
            if "targetConfigured" in ident and "testSize" in event.get("configured", {}):
                test_targets.add(ident["targetConfigured"]["label"])
            if "testResult" in ident:
                key = ident["testResult"]
                label = key["label"]
                test_targets.add(label)
                result = event.get("testResult", {})
                xml = None
                for output in result.get("testActionOutput", []):
                    if output.get("name") == "test.xml":
                        xml = urllib.parse.unquote(output["uri"].replace("file://", "", 1))
                slot = (label, key.get("run", 1), key.get("shard", 1))
                attempt = key.get("attempt", 1)
                if slot not in results or results[slot][0] <= attempt:
                    results[slot] = (attempt, result.get("status", "NO_STATUS"), xml)

    passed = failed = skipped = 0
    failures = []
    seen_labels = set()
    for (label, _, _), (_, status, xml) in sorted(results.items()):
        seen_labels.add(label)
        counts = xml_counts(xml) if xml else None
        if counts is None or sum(counts[:3]) == 0:
            if status in ("PASSED", "FLAKY"):
                passed += 1
            else:
                failed += 1
                failures.append(f"{label} ({status})")
            continue
        passed += counts[0]
        skipped += counts[2]
        failed += counts[1]
        failures.extend(f"{label}: {name}" for name in counts[3])
        if counts[1] == 0 and status not in ("PASSED", "FLAKY"):
            # The binary failed (crash, leak report, timeout) after its cases passed.
            failed += 1
            failures.append(f"{label} ({status})")
    for label in sorted(test_targets - seen_labels):
        failed += 1
        failures.append(f"{label} (did not build or run)")

    if bazel_status != 0 and failed == 0:
        # The build or the loading phase failed before any test could report.
        failed += 1
        failures.append(f"bazel test exited {bazel_status} (see the errors above)")
    for failure in failures:
        print(f"FAILED: {failure}")
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
