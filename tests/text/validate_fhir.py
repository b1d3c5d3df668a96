#!/usr/bin/python3
"""validate_fhir.py — checks FHIR R4 JSON against the official StructureDefinitions
shipped in shared/data/fhir/hl7_fhir_r4_examples/structuredefinitions/ (HL7's
hl7.fhir.r4.examples 4.0.1 package): for every element of Bundle and
Observation (snapshot paths), cardinality (min >= 1 present, max 1 not an
array, max * an array), the value type of each element and of choice types
(value[x] -> valueQuantity, valueBoolean, ...), unknown elements, empty values
(ele-1) and the Observation invariants obs-6 and obs-7.

The six StructureDefinitions shipped do not include the data types (Coding,
CodeableConcept, Reference, ...); their elements and types are written out
below from the R4 specification (hl7.org/fhir/R4/datatypes.html), and the
required bindings of Observation.status and Bundle.type from the R4 value sets.

Before our output is trusted, the validator proves it is not vacuous: it must
ACCEPT every official example Observation (and the Observations inside the
official example Bundles) and REJECT deliberately broken copies of one.

usage: validate_fhir.py --sd-dir DIR --examples-dir DIR [--cli VERTEBRA] [--bundle FILE]... [--work DIR]
exit 0 when everything holds, 1 with the reasons otherwise.
"""
import argparse
import copy
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

PRIMITIVE = {
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool) and -2**31 <= v < 2**31,
    "unsignedInt": lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**31,
    "positiveInt": lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v < 2**31,
    "decimal": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str) and v != "",
    "markdown": lambda v: isinstance(v, str) and v.strip() != "",
    "code": lambda v: isinstance(v, str) and re.fullmatch(r"[^\s]+( [^\s]+)*", v) is not None,
    "id": lambda v: isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9\-\.]{1,64}", v) is not None,
    "uri": lambda v: isinstance(v, str) and re.fullmatch(r"\S+", v) is not None,
    "url": lambda v: isinstance(v, str) and re.fullmatch(r"\S+", v) is not None,
    "canonical": lambda v: isinstance(v, str) and re.fullmatch(r"\S+", v) is not None,
    "oid": lambda v: isinstance(v, str) and re.fullmatch(r"urn:oid:[0-2](\.(0|[1-9][0-9]*))+", v) is not None,
    "uuid": lambda v: isinstance(v, str) and re.fullmatch(r"urn:uuid:[0-9a-f\-]{36}", v) is not None,
    "base64Binary": lambda v: isinstance(v, str),
    "date": lambda v: isinstance(v, str) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", v) is not None,
    "dateTime": lambda v: isinstance(v, str) and re.fullmatch(
        r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?", v) is not None,
    "instant": lambda v: isinstance(v, str) and re.fullmatch(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", v) is not None,
    "time": lambda v: isinstance(v, str) and re.fullmatch(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?", v) is not None,
    "http://hl7.org/fhirpath/System.String": lambda v: isinstance(v, str) and v != "",
}

# Data types (R4 datatypes.html): element -> (min, max, [types]).
E = {"id": (0, "1", ["string"]), "extension": (0, "*", ["Extension"])}
DATATYPES = {
    "Coding": {**E, "system": (0, "1", ["uri"]), "version": (0, "1", ["string"]),
               "code": (0, "1", ["code"]), "display": (0, "1", ["string"]),
               "userSelected": (0, "1", ["boolean"])},
    "CodeableConcept": {**E, "coding": (0, "*", ["Coding"]), "text": (0, "1", ["string"])},
    "Reference": {**E, "reference": (0, "1", ["string"]), "type": (0, "1", ["uri"]),
                  "identifier": (0, "1", ["Identifier"]), "display": (0, "1", ["string"])},
    "Identifier": {**E, "use": (0, "1", ["code"]), "type": (0, "1", ["CodeableConcept"]),
                   "system": (0, "1", ["uri"]), "value": (0, "1", ["string"]),
                   "period": (0, "1", ["Period"]), "assigner": (0, "1", ["Reference"])},
    "Quantity": {**E, "value": (0, "1", ["decimal"]), "comparator": (0, "1", ["code"]),
                 "unit": (0, "1", ["string"]), "system": (0, "1", ["uri"]),
                 "code": (0, "1", ["code"])},
    "Annotation": {**E, "author[x]": (0, "1", ["Reference", "string"]),
                   "time": (0, "1", ["dateTime"]), "text": (1, "1", ["markdown"])},
    "Period": {**E, "start": (0, "1", ["dateTime"]), "end": (0, "1", ["dateTime"])},
    "Attachment": {**E, "contentType": (0, "1", ["code"]), "language": (0, "1", ["code"]),
                   "data": (0, "1", ["base64Binary"]), "url": (0, "1", ["url"]),
                   "size": (0, "1", ["unsignedInt"]), "hash": (0, "1", ["base64Binary"]),
                   "title": (0, "1", ["string"]), "creation": (0, "1", ["dateTime"])},
    "Range": {**E, "low": (0, "1", ["Quantity"]), "high": (0, "1", ["Quantity"])},
    "Ratio": {**E, "numerator": (0, "1", ["Quantity"]), "denominator": (0, "1", ["Quantity"])},
    "SampledData": {**E, "origin": (1, "1", ["Quantity"]), "period": (1, "1", ["decimal"]),
                    "factor": (0, "1", ["decimal"]), "lowerLimit": (0, "1", ["decimal"]),
                    "upperLimit": (0, "1", ["decimal"]), "dimensions": (1, "1", ["positiveInt"]),
                    "data": (0, "1", ["string"])},
    "Meta": {**E, "versionId": (0, "1", ["id"]), "lastUpdated": (0, "1", ["instant"]),
             "source": (0, "1", ["uri"]), "profile": (0, "*", ["canonical"]),
             "security": (0, "*", ["Coding"]), "tag": (0, "*", ["Coding"])},
    "Narrative": {**E, "status": (1, "1", ["code"]), "div": (1, "1", ["xhtml"])},
}
OPAQUE = {"Extension", "Timing", "Signature", "xhtml"}  # checked as JSON kind only

BINDINGS = {  # required bindings (R4 value sets observation-status, bundle-type)
    "Observation.status": {"registered", "preliminary", "final", "amended", "corrected",
                           "cancelled", "entered-in-error", "unknown"},
    "Bundle.type": {"document", "message", "transaction", "transaction-response", "batch",
                    "batch-response", "history", "searchset", "collection"},
}


class Validator:
    def __init__(self, sd_dir):
        self.sd = {}
        for name in ("Bundle", "Observation", "DiagnosticReport"):
            with open(os.path.join(sd_dir, "StructureDefinition-%s.json" % name)) as f:
                sd = json.load(f)
            elements = {}
            for el in sd["snapshot"]["element"]:
                if el.get("sliceName"):
                    continue
                elements[el["path"]] = el
            self.sd[name] = elements

    def children(self, rtype, path):
        """Element definitions one level under path: name -> (min, max, types, path)."""
        out = {}
        prefix = path + "."
        for p, el in self.sd[rtype].items():
            if p.startswith(prefix) and "." not in p[len(prefix):]:
                types = [t["code"] for t in el.get("type", [])]
                ref = el.get("contentReference")
                if ref:
                    types = ["#" + ref[1:]]
                out[p[len(prefix):]] = (el["min"], el["max"], types, p)
        return out

    def resource(self, obj, where, errs):
        if not isinstance(obj, dict) or not isinstance(obj.get("resourceType"), str):
            errs.append("%s: not a resource (no resourceType)" % where)
            return
        rt = obj["resourceType"]
        if rt not in self.sd:
            return  # only Bundle, Observation and DiagnosticReport are checked
        self.element(rt, rt, self.children(rt, rt), obj, where, errs, root=True)
        if rt == "Observation":
            self.observation_invariants(obj, where, errs)

    def element(self, rtype, path, defs, obj, where, errs, root=False):
        if not isinstance(obj, dict):
            errs.append("%s: expected an object" % where)
            return
        if not obj:
            errs.append("%s: empty object (ele-1)" % where)
        seen = set()
        for name, (mn, mx, types, epath) in defs.items():
            if name.endswith("[x]"):
                base = name[:-3]
                keys = [base + t[0].upper() + t[1:] for t in types]
                present = [(k, t) for k, t in zip(keys, types) if k in obj]
                seen.update(k for k in keys if k in obj)
                seen.update("_" + k for k in keys if "_" + k in obj)
                if len(present) > 1:
                    errs.append("%s.%s: more than one choice present: %s" % (where, name, [k for k, _ in present]))
                if mn >= 1 and not present:
                    errs.append("%s.%s: required (min %d) but absent" % (where, name, mn))
                for k, t in present:
                    self.value(rtype, epath, mx, [t], obj[k], "%s.%s" % (where, k), errs)
                continue
            if name in obj:
                seen.add(name)
            if "_" + name in obj:
                seen.add("_" + name)
            if mn >= 1 and name not in obj and "_" + name not in obj:
                errs.append("%s.%s: required (min %d) but absent" % (where, name, mn))
            if name in obj:
                self.value(rtype, epath, mx, types, obj[name], "%s.%s" % (where, name), errs)
        for k in obj:
            if k not in seen and not (root and k == "resourceType"):
                errs.append("%s.%s: not an element of %s" % (where, k, path))

    def value(self, rtype, epath, mx, types, v, where, errs):
        if mx == "*":
            if not isinstance(v, list):
                errs.append("%s: repeating element must be an array" % where)
                return
            if not v:
                errs.append("%s: empty array (ele-1)" % where)
            items = v
        else:
            if isinstance(v, list):
                errs.append("%s: max 1 but given an array" % where)
                return
            items = [v]
        for i, item in enumerate(items):
            w = "%s[%d]" % (where, i) if mx == "*" else where
            self.typed(rtype, epath, types, item, w, errs)

    def typed(self, rtype, epath, types, v, where, errs):
        t = types[0] if types else "BackboneElement"
        if t.startswith("#"):  # contentReference: same definition as another path
            ref = t[1:]
            self.element(rtype, ref, self.children(rtype, ref), v, where, errs)
        elif t in PRIMITIVE:
            if not PRIMITIVE[t](v):
                errs.append("%s: %r is not a valid %s" % (where, v, t))
            elif epath in BINDINGS and v not in BINDINGS[epath]:
                errs.append("%s: %r is not in the required value set" % (where, v))
        elif t in ("BackboneElement", "Element"):
            self.element(rtype, epath, self.children(rtype, epath), v, where, errs)
        elif t == "Resource":
            self.resource(v, where, errs)
        elif t in DATATYPES:
            defs = {k: (mn, mx, ts, k) for k, (mn, mx, ts) in DATATYPES[t].items()}
            self.datatype(t, defs, v, where, errs)
        elif t in OPAQUE:
            if t != "xhtml" and not isinstance(v, dict):
                errs.append("%s: %s must be an object" % (where, t))
            if t == "xhtml" and not isinstance(v, str):
                errs.append("%s: xhtml must be a string" % where)
        else:
            errs.append("%s: unknown type %s" % (where, t))

    def datatype(self, t, defs, v, where, errs):
        # Same rules as resource elements; child types resolve through typed().
        if not isinstance(v, dict):
            errs.append("%s: %s must be an object" % (where, t))
            return
        if not v:
            errs.append("%s: empty %s (ele-1)" % (where, t))
        seen = set()
        for name, (mn, mx, types, _) in defs.items():
            if name.endswith("[x]"):
                base = name[:-3]
                present = [(base + ty[0].upper() + ty[1:], ty) for ty in types if base + ty[0].upper() + ty[1:] in v]
                seen.update(k for k, _ in present)
                if len(present) > 1:
                    errs.append("%s.%s: more than one choice present" % (where, name))
                for k, ty in present:
                    self.value(None, None, mx, [ty], v[k], "%s.%s" % (where, k), errs)
                continue
            for k in (name, "_" + name):
                if k in v:
                    seen.add(k)
            if mn >= 1 and name not in v:
                errs.append("%s.%s: required (min %d) but absent" % (where, name, mn))
            if name in v:
                self.value(None, None, mx, types, v[name], "%s.%s" % (where, name), errs)
        for k in v:
            if k not in seen:
                errs.append("%s.%s: not an element of %s" % (where, k, t))

    @staticmethod
    def observation_invariants(o, where, errs):
        has_value = any(k.startswith("value") for k in o)
        # obs-6: dataAbsentReason SHALL only be present if Observation.value[x] is not present
        if "dataAbsentReason" in o and has_value:
            errs.append("%s: obs-6: dataAbsentReason with a value" % where)
        # obs-7: if code is the same as a component code then the value SHALL NOT be present
        codes = {(c.get("system"), c.get("code")) for c in o.get("code", {}).get("coding", [])}
        for i, comp in enumerate(o.get("component", []) if isinstance(o.get("component"), list) else []):
            cc = {(c.get("system"), c.get("code")) for c in comp.get("code", {}).get("coding", [])}
            if has_value and codes & cc:
                errs.append("%s.component[%d]: obs-7: same code as the Observation and a value" % (where, i))


def load_check(v, path):
    """Parses one file and validates it; returns (resource, errors)."""
    with open(path) as f:
        res = json.load(f)
    errs = []
    v.resource(res, os.path.basename(path), errs)
    return res, errs


def check_examples(v, examples_dir):
    """The validator must accept HL7's examples and reject broken copies."""
    problems = []
    obs = sorted(glob.glob(os.path.join(examples_dir, "Observation-*.json")))
    if len(obs) < 10:
        problems.append("too few official Observation examples found (%d)" % len(obs))
    def accept_all(paths, what):
        accepted = 0
        for path in paths:
            _, errs = load_check(v, path)
            if errs:
                problems.append("official example %s rejected: %s" % (what, "; ".join(errs[:3])))
            else:
                accepted += 1
        return accepted

    accepted = accept_all(obs, "Observation")
    bundles = accept_all(sorted(glob.glob(os.path.join(examples_dir, "Bundle-*.json"))), "Bundle")
    reports = sorted(glob.glob(os.path.join(examples_dir, "DiagnosticReport-*.json")))
    if len(reports) < 3:
        problems.append("too few official DiagnosticReport examples found (%d)" % len(reports))
    accept_all(reports, "DiagnosticReport")
    for name, field in (("DiagnosticReport without status", "status"),
                        ("DiagnosticReport without code", "code")):
        with open(reports[0]) as f:
            r = json.load(f)
        r.pop(field, None)
        errs = []
        v.resource(r, "broken(%s)" % name, errs)
        if not errs:
            problems.append("broken example accepted: %s" % name)
    # Deliberately broken copies of an official Observation must be rejected.
    with open(obs[0]) as f:
        good = json.load(f)
    breakers = {
        "no status": lambda o: o.pop("status"),
        "no code": lambda o: o.pop("code"),
        "status not in value set": lambda o: o.__setitem__("status", "done"),
        "status an array": lambda o: o.__setitem__("status", ["final"]),
        "valueBoolean a string": lambda o: (o.pop("valueQuantity", None), o.__setitem__("valueBoolean", "true")),
        "two value[x]": lambda o: (o.__setitem__("valueBoolean", True), o.__setitem__("valueString", "x")),
        "unknown element": lambda o: o.__setitem__("severity", "mild"),
        "category not an array": lambda o: o.__setitem__("category", {"text": "imaging"}),
        "coding code with spaces at ends": lambda o: o.__setitem__("code", {"coding": [{"code": " 123 "}]}),
        "note without text": lambda o: o.__setitem__("note", [{"time": "2020-01-01"}]),
        "component without code": lambda o: o.__setitem__("component", [{"valueBoolean": True}]),
        "empty string": lambda o: o.__setitem__("code", {"text": ""}),
    }
    for name, brk in breakers.items():
        o = copy.deepcopy(good)
        brk(o)
        errs = []
        v.resource(o, "broken(%s)" % name, errs)
        if not errs:
            problems.append("broken example accepted: %s" % name)
    print("validator sanity: %d/%d official Observations and %d Bundles accepted, %d broken copies rejected"
          % (accepted, len(obs), bundles, len(breakers) - sum(p.startswith("broken") for p in problems)))
    return problems


def run_ours(v, cli, work):
    """Our Bundle from the demo reports and from hostile/odd documents."""
    problems = []
    demo = os.path.join(work, "demo")
    r = subprocess.run([cli, "demo", "-o", demo], capture_output=True, text=True)
    if r.returncode != 0:
        return ["vertebra demo failed (%d): %s" % (r.returncode, r.stderr.strip())]
    files = [os.path.join(demo, "text", "findings.fhir.json")]
    odd = os.path.join(work, "odd")
    os.makedirs(odd)
    texts = {
        "plain.txt": "IMPRESSION: Severe central stenosis at L4-5. No fracture. Possible mild disc bulge at L5-S1.\n",
        "weird id with spaces & quotes \".txt": "Findings: Grade 2 anterolisthesis of L5 on S1. 5 mm disc protrusion at C5-6.\n",
        "empty.txt": "",
    }
    paths = []
    for name, text in texts.items():
        p = os.path.join(odd, name)
        with open(p, "w") as f:
            f.write(text)
        paths.append(p)
    out = os.path.join(work, "odd.fhir.json")
    r = subprocess.run([cli, "text", "extract", "--format", "fhir", "-o", out] + paths,
                       capture_output=True, text=True)
    if r.returncode != 0:
        problems.append("extract --format fhir failed (%d): %s" % (r.returncode, r.stderr.strip()))
    else:
        files.append(out)
    total = 0
    for path in files:
        b, errs = load_check(v, path)
        if b.get("type") != "collection":
            errs.append("%s: Bundle.type is not collection" % path)
        urls = [e.get("fullUrl") for e in b.get("entry", [])]
        if len(urls) != len(set(urls)):
            errs.append("%s: bdl-7: fullUrl not unique" % path)
        for e in b.get("entry", []):
            if e.get("resource", {}).get("resourceType") != "Observation":
                errs.append("%s: entry is not an Observation" % path)
        total += len(b.get("entry", []))
        problems += errs
    if total == 0:
        problems.append("our Bundles hold no Observation at all: nothing was validated")
    print("our output: %d Observations in %d Bundles checked" % (total, len(files)))
    return problems


def check_files(v, paths):
    """Bundles written elsewhere (e.g. `ct analyze`'s report.fhir.json)."""
    problems, n = [], 0
    for path in paths:
        b, errs = load_check(v, path)
        if b.get("resourceType") != "Bundle":
            errs.append("%s: not a Bundle" % path)
        urls = [e.get("fullUrl") for e in b.get("entry", [])]
        if len(urls) != len(set(urls)):
            errs.append("%s: bdl-7: fullUrl not unique" % path)
        kinds = [e.get("resource", {}).get("resourceType") for e in b.get("entry", [])]
        n += len(kinds)
        if not kinds:
            errs.append("%s: empty Bundle: nothing was validated" % path)
        problems += errs
    print("given files: %d resources in %d Bundles checked" % (n, len(paths)))
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sd-dir", required=True)
    ap.add_argument("--examples-dir", required=True)
    ap.add_argument("--cli", help="run the text engine and check its Bundles")
    ap.add_argument("--bundle", action="append", default=[], help="also check this Bundle file")
    ap.add_argument("--work")
    a = ap.parse_args()
    if not a.cli and not a.bundle:
        ap.error("give --cli, --bundle or both")
    v = Validator(a.sd_dir)
    problems = check_examples(v, a.examples_dir)
    problems += check_files(v, a.bundle)
    if a.cli:
        with tempfile.TemporaryDirectory(dir=a.work) as work:
            problems += run_ours(v, a.cli, work)
    for p in problems:
        print("FAIL:", p)
    print("%d problems" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
