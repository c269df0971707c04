#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Proves which of swift-api-digester's "API breakage" lines are not breaks, by comparing two API dumps flattened.

The digester reports a member that moved from a type into an extension of a protocol the type conforms to as
removed (or renamed, or changed, when it pairs it with some other declaration), although every call of it still
compiles the same way. This verifier reads the baseline dump and the current dump (`swift-api-digester -dump-sdk`)
and checks, for every declaration of the baseline:

  * every type (struct, class, enum, protocol) still exists under the same name (a type alias to a type of the same
    kind counts), with at least the conformances it had;
  * every member (func, var, init, subscript, enum case, associated type) still exists, on the type itself or in an
    extension of a protocol the type conforms to (transitively; the extension's constraints, such as
    `where Self: ~Copyable` or `where UnsafeProtection == _RundownUnsafeView<Self>`, must hold for the type), or,
    for a member of a protocol, on the protocol or an extension of a protocol it refines. "Exists" means: same kind,
    name and argument labels; same static-ness; same parameter and result types (with `Self` replaced by the type,
    type aliases expanded, generic parameters compared by position); the same parameter ownership; at least the
    default arguments it had; the same throws (typed or not) and async; the same self ownership (mutating,
    consuming); the same generic requirements of its own; `@discardableResult` kept; at least the accessors it had;
    not made `@_spi` (the digester leaves unavailable declarations out of its dump, so `@available(*, unavailable)`
    counts as removed). Deprecation is allowed.

What the dumps do not show, this cannot check: the argument labels of enum cases, and `@available(*, noasync)` (it
is indistinguishable from deprecation there). Tests/RundownTests/OldSpellingsTests.swift calls every old spelling,
including those, and Scripts/check-compile-fails.sh what must not compile.

Public declarations of the baseline that are `@_spi` or whose name (or an enclosing type's) starts with an underscore
are not API: they are checked the same way and reported, but their removal is not an error.

Then it classifies every digester line by its subject, the declaration it names first:
  M  the subject is a baseline member (every overload of that name) proven present as above: allowlisted;
  K  the line is in the explicit list given with --explicit (protocol-conformance changes, each with its reason):
     allowlisted;
  S  the subject is not API in the baseline (`@_spi` or underscored): allowlisted;
  U  anything else: unexplained, an error.
and writes the allowlist (M, K and S lines) for `swift package diagnose-api-breaking-changes
--breakage-allowlist-path`. Exit status: 0 if no baseline API declaration is missing or changed and no line is
unexplained; 1 otherwise; 2 on a usage error.
"""

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field

MEMBER_KINDS = {"Func", "Var", "Constructor", "Subscript", "EnumElement", "AssociatedType", "TypeAlias"}
TYPE_KINDS = {"Struct", "Class", "Enum", "Protocol"}
# How the digester names a declaration kind in its messages.
DIGESTER_KIND_WORDS = {
    "func": "Func",
    "var": "Var",
    "let": "Var",
    "constructor": "Constructor",
    "init": "Constructor",
    "subscript": "Subscript",
    "enumelement": "EnumElement",
    "case": "EnumElement",
    "associatedtype": "AssociatedType",
    "typealias": "TypeAlias",
    "accessor": "Accessor",
    "struct": "Struct",
    "class": "Class",
    "enum": "Enum",
    "protocol": "Protocol",
}
INVERSE_PROTOCOLS = {"~Copyable", "~Escapable", "~Swift.Copyable", "~Swift.Escapable"}
BREAKAGE = re.compile(r"API breakage: (.*)$")


def fail_usage(message):
    print(f"check-api.py: {message}", file=sys.stderr)
    sys.exit(2)


# --- Small parsing helpers ----------------------------------------------------------------------------------------


def split_top_level(text, separator=","):
    """Splits at separators that are outside (), <> and []; "->" is not a closing bracket."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        c = text[i]
        if c == "-" and text[i + 1 : i + 2] == ">":
            i += 2
            continue
        if c in "(<[":
            depth += 1
        elif c in ")>]":
            depth -= 1
        elif depth == 0 and text.startswith(separator, i):
            parts.append(text[start:i].strip())
            i += len(separator)
            start = i
            continue
        i += 1
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def matching_close(text, open_index):
    """Index of the bracket closing the one at open_index."""
    depth, i = 0, open_index
    while i < len(text):
        c = text[i]
        if c == "-" and text[i + 1 : i + 2] == ">":
            i += 2
            continue
        if c in "(<[":
            depth += 1
        elif c in ")>]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def parse_generic_sig(sig):
    """'<A, B where A : P, B == C>' -> (['A', 'B'], ['A : P', 'B == C']); also '<Self : P, Self.X : Q>' (protocols)."""
    if not sig:
        return [], []
    body = sig.strip()[1:-1]
    if " where " in body or body.startswith("where "):
        params_text, _, reqs_text = body.partition("where ")
        params = [p.strip() for p in split_top_level(params_text.rstrip())]
        reqs = split_top_level(reqs_text)
    else:
        entries = split_top_level(body)
        params = [e for e in entries if ":" not in e and "==" not in e]
        reqs = [e for e in entries if ":" in e or "==" in e]
    return [p for p in params if p], reqs


def word(name):
    """A regex for the identifier `name` standing alone (not part of a longer name or a qualified name's tail)."""
    return re.compile(r"(?<![\w.])" + re.escape(name) + r"(?![\w])")


def normalize_requirement(req):
    """'A: ~Swift.Copyable' / 'Self : ~Copyable' -> 'Self : ~Copyable' etc.: one spelling for both sources."""
    for op in (" == ", ":"):
        parts = split_top_level(req, op)
        if len(parts) == 2:
            lhs, rhs = parts
            rhs = rhs.strip()
            if rhs.startswith("~Swift."):
                rhs = "~" + rhs[len("~Swift.") :]
            return f"{lhs.strip()} {op.strip()} {rhs}"
    return req.strip()


# --- Dumps ---------------------------------------------------------------------------------------------------------


@dataclass
class Decl:
    node: dict
    path: list  # enclosing type names, outermost first
    parent: "Decl | None" = None
    demangled: str | None = None

    @property
    def kind(self):
        return self.node.get("declKind")

    @property
    def name(self):
        return self.node.get("name")

    @property
    def printed(self):
        return self.node.get("printedName")

    @property
    def qualified(self):
        return ".".join(self.path + [self.printed])

    @property
    def spi(self):
        groups = set(self.node.get("spi_group_names") or [])
        if self.parent is not None:
            groups |= self.parent.spi
        return groups

    @property
    def underscored(self):
        return any(p.startswith("_") for p in self.path) or (self.name or "").startswith("_")

    @property
    def is_api(self):
        return not self.spi and not self.underscored


@dataclass
class Dump:
    label: str
    root: dict
    types: dict = field(default_factory=dict)  # qualified name -> Decl (TypeDecl)
    aliases: dict = field(default_factory=dict)  # "Rundown.X.Y" -> target type string
    alias_decls: dict = field(default_factory=dict)  # qualified name -> Decl (TypeAlias)
    members: dict = field(default_factory=dict)  # qualified type name -> [Decl]
    module: str = "Rundown"

    def qualified_type_string(self, qualified):
        return f"{self.module}.{qualified}"


def load_dump(path, label):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    root = data.get("ABIRoot", data)
    dump = Dump(label=label, root=root, module=root.get("name", "Rundown"))

    def collect_aliases(node):
        # A TypeNameAlias node names an alias and holds its target; conformances carry type witnesses.
        if node.get("kind") == "TypeNameAlias" and node.get("children"):
            dump.aliases.setdefault(node["printedName"], node["children"][0]["printedName"])
        for child in node.get("children", []) or []:
            collect_aliases(child)

    def visit(node, path, parent):
        kind = node.get("declKind")
        if node.get("kind") == "TypeDecl" and kind in TYPE_KINDS:
            decl = Decl(node, path, parent)
            qualified = ".".join(path + [node["name"]])
            dump.types[qualified] = decl
            dump.members.setdefault(qualified, [])
            for conformance in node.get("conformances", []) or []:
                for witness in conformance.get("children", []) or []:
                    if witness.get("kind") == "TypeWitness" and witness.get("children"):
                        target = witness["children"][0]
                        text = target["printedName"]
                        if target.get("kind") == "TypeNameAlias" and target.get("children"):
                            text = target["children"][0]["printedName"]
                        dump.aliases.setdefault(f"{dump.module}.{qualified}.{witness['name']}", text)
                collect_aliases(conformance)
            for child in node.get("children", []) or []:
                visit(child, path + [node["name"]], decl)
            return
        if kind in MEMBER_KINDS and path:
            decl = Decl(node, path, parent)
            dump.members[".".join(path)].append(decl)
            if kind == "TypeAlias":
                qualified = ".".join(path + [node["name"]])
                dump.alias_decls[qualified] = decl
                if node.get("children"):
                    dump.aliases[f"{dump.module}.{qualified}"] = node["children"][0]["printedName"]
            collect_aliases(node)
            return
        if kind == "TypeAlias" and not path:
            dump.alias_decls[node["name"]] = Decl(node, path, parent)
            if node.get("children"):
                dump.aliases[f"{dump.module}.{node['name']}"] = node["children"][0]["printedName"]
        for child in node.get("children", []) or []:
            visit(child, path, parent)

    visit(root, [], None)
    return dump


def demangle_all(dumps, demangler):
    names = []
    for dump in dumps:
        for decls in dump.members.values():
            names += [d.node["mangledName"] for d in decls if d.node.get("mangledName")]
    names = sorted(set(names))
    if not names:
        return
    result = subprocess.run([demangler, "--compact"], input="\n".join(names) + "\n", capture_output=True, text=True)
    if result.returncode != 0:
        fail_usage(f"{demangler} failed: {result.stderr.strip()}")
    lines = result.stdout.splitlines()
    if len(lines) != len(names):
        fail_usage(f"{demangler} returned {len(lines)} lines for {len(names)} names")
    table = dict(zip(names, lines))
    for dump in dumps:
        for decls in dump.members.values():
            for d in decls:
                if d.node.get("mangledName"):
                    d.demangled = table[d.node["mangledName"]]


# --- Contexts: where a member is looked up, and how its types are rewritten --------------------------------------


@dataclass
class Context:
    """How a declaration found in `owner` (a type or protocol of a dump) reads for the type being checked."""

    dump: Dump
    owner: Decl  # the TypeDecl the member is listed under
    self_type: str | None  # what `Self` (and the owner's generic parameters) stand for; None: keep `Self`
    owner_params: dict  # owner's generic parameter names -> replacement text (or themselves)

    @property
    def is_protocol(self):
        return self.owner.kind == "Protocol"


def expand_aliases(text, aliases):
    for _ in range(8):
        before = text
        for alias, target in aliases.items():
            if alias in text:
                text = word(alias).sub(target, text)
        if text == before:
            break
    return re.sub(r"\s+", " ", text).strip()


def own_generic_params(decl, ctx):
    params, _ = parse_generic_sig(decl.node.get("genericSig"))
    outer = set(ctx.owner_params) | {"Self"}
    return [p for p in params if p not in outer]


def rewrite_dump_type(text, decl, ctx, aliases):
    for index, name in enumerate(own_generic_params(decl, ctx)):
        text = word(name).sub(f"τ{index}", text)
    for name, replacement in ctx.owner_params.items():
        text = word(name).sub(replacement, text)
    if ctx.self_type is not None:
        text = word("Self").sub(ctx.self_type, text)
    return expand_aliases(text, aliases)


def owner_depth(ctx):
    """The generic depth of the member's own parameters in the demangler's naming (A, B: depth 0; A1, B1: depth 1)."""
    if ctx.is_protocol:
        return 1
    return 1 if (ctx.owner.node.get("genericSig") or any_generic_ancestor(ctx.owner)) else 0


def any_generic_ancestor(decl):
    parent = decl.parent
    while parent is not None:
        if parent.node.get("genericSig"):
            return True
        parent = parent.parent
    return False


GENERIC_TOKEN = re.compile(r"(?<![\w.])([A-Z])(\d*)(?![\w])")


def rename_demangled_tokens(text, ctx, depth_of_own, outer_names):
    def replace(match):
        index = ord(match.group(1)) - ord("A")
        depth = int(match.group(2) or 0)
        if depth == depth_of_own:
            return f"τ{index}"
        if ctx.is_protocol and depth == 0 and index == 0:
            return ctx.self_type if ctx.self_type is not None else "Self"
        if depth == 0 and index < len(outer_names):
            return outer_names[index]
        return f"Outer{depth}_{index}"

    return GENERIC_TOKEN.sub(replace, text)


def split_demangled(decl):
    """'[static ](extension in M):M.P< where A: X>.name<...>(args) async throws -> R' -> (context, member part)."""
    text = decl.demangled or ""
    if text.startswith("static "):
        text = text[len("static ") :]
    name = decl.name
    depth, i = 0, 0
    while i < len(text):
        c = text[i]
        if c == "-" and text[i + 1 : i + 2] == ">":
            i += 2
            continue
        if c in "(<[":
            depth += 1
        elif c in ")>]":
            depth -= 1
        elif c == "." and depth == 0 and text.startswith(name, i + 1):
            after = text[i + 1 + len(name) : i + 2 + len(name)]
            if after in ("", "(", "<", " "):
                context, member = text[:i], text[i + 1 :]
                # The member's own generic clause: compared through the dump's generic signature instead (the
                # demangler prints its parameter list without depths).
                if member[len(name) : len(name) + 1] == "<":
                    close = matching_close(member, len(name))
                    member = member[: len(name)] + member[close + 1 :]
                return context, member
        i += 1
    return "", text


def context_requirements(decl, ctx):
    """The constraints of the extension a member is declared in (from its demangled context), normalized."""
    context, _ = split_demangled(decl)
    marker = context.find("< where ")
    if marker < 0:
        return []
    close = matching_close(context, marker)
    reqs = split_top_level(context[marker + len("< where ") : close])
    renamed = []
    for req in reqs:
        text = GENERIC_TOKEN.sub(
            lambda m: "Self" if (ctx.is_protocol and m.group(1) == "A" and not m.group(2)) else m.group(0), req
        )
        renamed.append(normalize_requirement(text))
    return renamed


def signature(decl, ctx):
    """Everything about a member that decides how a call of it compiles, rewritten for the checked type."""
    node = decl.node
    aliases = ctx.dump.aliases
    children = node.get("children", []) or []
    types = []
    for child in children:
        if child.get("kind", "").startswith("Type"):
            types.append(
                (
                    rewrite_dump_type(child.get("printedName", ""), decl, ctx, aliases),
                    child.get("paramValueOwnership", ""),
                )
            )
    defaults = tuple(bool(c.get("hasDefaultArg")) for c in children if c.get("kind", "").startswith("Type"))
    _, reqs = parse_generic_sig(node.get("genericSig"))
    own = own_generic_params(decl, ctx)
    own_reqs = set()
    for req in reqs:
        req = normalize_requirement(req)
        lhs_root = re.split(r"[ .:]", req, maxsplit=1)[0]
        if lhs_root in own:
            own_reqs.add(rewrite_dump_type(req, decl, ctx, aliases))
    self_kind = node.get("funcSelfKind")
    if self_kind in ("NonMutating", "Borrowing", None):
        self_kind = "borrowing"
    accessors = frozenset(a.get("accessorKind", a.get("name")) for a in node.get("accessors", []) or [])
    demangled = ""
    if decl.demangled:
        _, member = split_demangled(decl)
        outer_names = list(ctx.owner_params.values())
        demangled = expand_aliases(rename_demangled_tokens(member, ctx, owner_depth(ctx), outer_names), aliases)
    return {
        "kind": decl.kind,
        "printed": decl.printed,
        "static": bool(node.get("static")),
        "types": tuple(types),
        "defaults": defaults,
        "throwing": bool(node.get("throwing")),
        "self": self_kind,
        "requirements": frozenset(own_reqs),
        "accessors": accessors,
        "demangled": demangled,
        "discardable": "DiscardableResult" in (node.get("declAttributes") or []),
    }


def compare(base_sig, new_sig):
    """None if a call written against base_sig compiles the same way against new_sig; else what differs."""
    problems = []
    for key in ("kind", "printed", "static", "throwing", "self", "requirements", "demangled"):
        if base_sig[key] != new_sig[key]:
            problems.append(f"{key}: {fmt(base_sig[key])} -> {fmt(new_sig[key])}")
    if len(base_sig["types"]) != len(new_sig["types"]):
        problems.append(f"{len(base_sig['types']) - 1} parameters -> {len(new_sig['types']) - 1}")
    else:
        for index, (before, after) in enumerate(zip(base_sig["types"], new_sig["types"])):
            if before != after:
                what = "result type" if index == 0 else f"parameter {index} type"
                problems.append(f"{what}: {' '.join(filter(None, reversed(before)))} -> "
                                f"{' '.join(filter(None, reversed(after)))}")
    if len(base_sig["defaults"]) == len(new_sig["defaults"]):
        lost = [i for i, (a, b) in enumerate(zip(base_sig["defaults"], new_sig["defaults"])) if a and not b]
        if lost:
            problems.append(f"default argument removed from parameter(s) {lost}")
    if not base_sig["accessors"] <= new_sig["accessors"]:
        problems.append(f"accessors {sorted(base_sig['accessors'])} -> {sorted(new_sig['accessors'])}")
    if base_sig["discardable"] and not new_sig["discardable"]:
        problems.append("@discardableResult removed")
    return "; ".join(problems) or None


def fmt(value):
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(value)) + "}"
    return str(value)


# --- Looking members up, flattened ---------------------------------------------------------------------------------


def strip_module(name, dump):
    for prefix in (f"{dump.module}.", "Swift.", "_Concurrency."):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def conformance_names(decl):
    return {c["name"] for c in decl.node.get("conformances", []) or []}


def protocol_closure(dump, protocol):
    names = {protocol.name} | conformance_names(protocol)
    return names


def requirement_holds_for_type(req, type_decl, type_string, dump, aliases):
    """Whether the requirement (spelled with Self) holds for the concrete type."""
    lhs_rhs = req.split(" == ") if " == " in req else req.split(" : ", 1)
    if len(lhs_rhs) != 2:
        return False
    lhs, rhs = (s.strip() for s in lhs_rhs)
    if " : " in req and " == " not in req:
        if lhs != "Self":
            return False
        if rhs in INVERSE_PROTOCOLS:
            return True
        target = strip_module(rhs, dump)
        if target == "AnyObject":
            return type_decl.kind == "Class"
        return target in conformance_names(type_decl)
    left = expand_aliases(word("Self").sub(type_string, lhs), aliases)
    right = expand_aliases(word("Self").sub(type_string, rhs), aliases)
    return left == right


def requirement_holds_for_protocol(req, protocol, dump):
    """Whether every type conforming to `protocol` meets the requirement (spelled with Self)."""
    if " == " in req:
        return False
    parts = req.split(" : ", 1)
    if len(parts) != 2 or parts[0].strip() != "Self":
        return False
    rhs = parts[1].strip()
    if rhs in INVERSE_PROTOCOLS:
        return True
    target = strip_module(rhs, dump)
    if target == "AnyObject":
        _, own_reqs = parse_generic_sig(protocol.node.get("genericSig"))
        return any(normalize_requirement(r) == "Self : AnyObject" for r in own_reqs)
    return target in protocol_closure(dump, protocol)


def self_requirements(decl, ctx):
    _, reqs = parse_generic_sig(decl.node.get("genericSig"))
    found = {normalize_requirement(r) for r in reqs if re.match(r"Self\b", r.strip())}
    found |= set(context_requirements(decl, ctx))
    return found


@dataclass
class Found:
    decl: Decl
    where: str  # "in place" or "extension of P" / "requirement of P"


def resolve_type(dump, qualified):
    """The TypeDecl a baseline type name names now (through a type alias if need be), and the generic arguments."""
    if qualified in dump.types:
        return dump.types[qualified], {}
    alias = dump.alias_decls.get(qualified)
    if alias is None or not alias.node.get("children"):
        return None, {}
    target = alias.node["children"][0]
    name = target.get("name")
    candidates = [
        d for q, d in dump.types.items() if q.split(".")[-1] == name and d.node.get("usr") == target.get("usr")
    ]
    if not candidates:
        return None, {}
    decl = candidates[0]
    params, _ = parse_generic_sig(decl.node.get("genericSig"))
    args = [c["printedName"] for c in target.get("children", []) or []]
    return decl, dict(zip(params, args))


def candidates_for_type_member(new, type_decl, type_string, generic_args, base_member):
    """Every declaration of the current dump a call `value.member` on the type could resolve to, with its context."""
    results = []
    type_qualified = ".".join(type_decl.path + [type_decl.name])
    own_params, _ = parse_generic_sig(type_decl.node.get("genericSig"))
    owner_params = {p: generic_args.get(p, p) for p in own_params}
    ctx = Context(new, type_decl, type_string if type_decl.kind != "Protocol" else None, owner_params)
    for member in new.members.get(type_qualified, []):
        if member.kind == base_member.kind and member.printed == base_member.printed:
            results.append((member, ctx, "in place"))
    if type_decl.kind == "Protocol":
        closure = protocol_closure(new, type_decl) - {type_decl.name}
    else:
        closure = conformance_names(type_decl)
    for protocol_name in sorted(closure):
        protocol = new.types.get(protocol_name)
        if protocol is None or protocol.kind != "Protocol":
            continue
        pctx = Context(new, protocol, type_string if type_decl.kind != "Protocol" else None, {})
        for member in new.members.get(protocol_name, []):
            if member.kind == base_member.kind and member.printed == base_member.printed:
                how = "extension" if member.node.get("isFromExtension") else "requirement"
                results.append((member, pctx, f"{how} of {protocol_name}"))
    return results


def find_member(new, base, base_member, type_decl, type_string, generic_args):
    """(Found or None, [why each candidate with that name did not qualify])."""
    base_owner = base_member.parent
    base_params, _ = parse_generic_sig(base_owner.node.get("genericSig"))
    base_ctx = Context(base, base_owner, type_string if base_owner.kind != "Protocol" else None,
                       {p: generic_args.get(p, p) for p in base_params})
    base_sig = signature(base_member, base_ctx)
    # The baseline's type strings name the baseline's types; expand them with the current dump's aliases too (a
    # nested struct that became a type alias is the same spelling for a caller).
    base_sig["types"] = tuple((expand_aliases(t, new.aliases), o) for t, o in base_sig["types"])
    base_sig["demangled"] = expand_aliases(base_sig["demangled"], new.aliases)
    base_sig["requirements"] = frozenset(expand_aliases(r, new.aliases) for r in base_sig["requirements"])
    rejected = []
    for member, ctx, where in candidates_for_type_member(new, type_decl, type_string, generic_args, base_member):
        if not member.spi <= base_member.spi:
            rejected.append(f"{where}: @_spi({', '.join(sorted(member.spi))})")
            continue
        if where == "in place":
            # A member that moved into a more constrained extension of its own type is not the same.
            base_reqs = set(context_requirements(base_member, base_ctx))
            new_reqs = set(context_requirements(member, ctx))
            if not new_reqs <= base_reqs:
                rejected.append(f"{where}: now constrained by {', '.join(sorted(new_reqs - base_reqs))}")
                continue
        else:
            reqs = self_requirements(member, ctx)
            if type_decl.kind == "Protocol":
                unmet = [r for r in reqs if not requirement_holds_for_protocol(r, type_decl, new)]
            else:
                unmet = [r for r in reqs if not requirement_holds_for_type(r, type_decl, type_string, new, new.aliases)]
            if unmet:
                rejected.append(f"{where}: constraint(s) not met: {', '.join(sorted(unmet))}")
                continue
        problem = compare(base_sig, signature(member, ctx))
        if problem is None:
            return Found(member, where), rejected
        rejected.append(f"{where}: {problem}")
    return None, rejected


# --- Checking the baseline -----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    decl: Decl
    status: str  # "in place", "moved", "missing", "changed"
    detail: str = ""


def check_baseline(base, new):
    outcomes = []  # member outcomes
    type_problems = []  # (Decl, message)
    for qualified, base_type in sorted(base.types.items()):
        new_type, generic_args = resolve_type(new, qualified)
        if new_type is None:
            type_problems.append((base_type, f"{base_type.kind.lower()} {qualified} no longer exists"))
            for member in base.members.get(qualified, []):
                outcomes.append(Outcome(member, "missing", f"its type {qualified} no longer exists"))
            continue
        if new_type.kind != base_type.kind:
            type_problems.append(
                (base_type, f"{qualified} was a {base_type.kind.lower()}, is now a {new_type.kind.lower()}")
            )
        lost = conformance_names(base_type) - conformance_names(new_type)
        if lost:
            type_problems.append((base_type, f"{qualified} no longer conforms to {', '.join(sorted(lost))}"))
        if new_type.kind == "Protocol":
            type_string = None
        else:
            type_string = new.qualified_type_string(qualified)
        for member in base.members.get(qualified, []):
            if member.kind == "AssociatedType":
                present = any(
                    m.kind == "AssociatedType" and m.name == member.name
                    for m in new.members.get(".".join(new_type.path + [new_type.name]), [])
                )
                outcomes.append(Outcome(member, "in place" if present else "missing"))
                continue
            if member.kind == "TypeAlias":
                name = f"{qualified}.{member.name}"
                before = expand_aliases(base.aliases.get(f"{base.module}.{name}", ""), base.aliases)
                after = expand_aliases(new.aliases.get(f"{new.module}.{name}", ""), new.aliases)
                status = "in place" if before and before == after else "changed"
                outcomes.append(Outcome(member, status, "" if status == "in place" else f"{before} -> {after}"))
                continue
            found, rejected = find_member(new, base, member, new_type, type_string, generic_args)
            if found is not None:
                outcomes.append(Outcome(member, "in place" if found.where == "in place" else "moved", found.where))
            elif rejected:
                outcomes.append(
                    Outcome(member, "changed", "no declaration with its signature; candidates: " + " | ".join(rejected))
                )
            else:
                outcomes.append(Outcome(member, "missing", "no declaration of that name on the type or its protocols"))
    return outcomes, type_problems


# --- Digester lines -------------------------------------------------------------------------------------------------


def parse_subject(message):
    """'func RundownRef.withProtection(...) has been removed' -> ('Func', 'RundownRef', 'withProtection(...)')."""
    kind_word, _, rest = message.partition(" ")
    kind = DIGESTER_KIND_WORDS.get(kind_word)
    if kind is None:
        return None
    token = rest.split(" ", 1)[0]
    # The last dot outside parentheses separates the member from its owner.
    depth, cut = 0, -1
    for i, c in enumerate(token):
        if c in "(<[":
            depth += 1
        elif c in ")>]":
            depth -= 1
        elif c == "." and depth == 0:
            cut = i
    if kind in TYPE_KINDS:
        return kind, token, None
    if cut < 0:
        return kind, "", token
    owner, member = token[:cut], token[cut + 1 :]
    if kind == "Accessor":
        # 'accessor T.property.Get()': the subject is the property.
        depth, cut2 = 0, -1
        for i, c in enumerate(owner):
            if c == "." and depth == 0:
                cut2 = i
        if cut2 < 0:
            return None
        return "Var", owner[:cut2], owner[cut2 + 1 :]
    return kind, owner, member


def read_explicit(path):
    """Entries of the explicit list: each non-comment line, with the comment block above it as its reason."""
    entries, reason = {}, []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line:
                continue
            if line.startswith("#"):
                reason.append(line.lstrip("#").strip())
                continue
            message = line[len("API breakage: ") :] if line.startswith("API breakage: ") else line
            entries[message] = " ".join(reason) or "(no reason given)"
            reason = []
    return entries


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", required=True, help="the baseline dump (swift-api-digester -dump-sdk)")
    parser.add_argument("--current", required=True, help="the current dump (swift-api-digester -dump-sdk)")
    parser.add_argument("--digester-output", help="what diagnose-api-breaking-changes printed (without allowlist)")
    parser.add_argument("--explicit", help="the explicitly allowed lines, each after the comment giving its reason")
    parser.add_argument("--allowlist-out", help="where to write the allowlist")
    parser.add_argument("--demangler", default="swift-demangle")
    parser.add_argument("--verbose", action="store_true", help="list every baseline member and where it is now")
    args = parser.parse_args()

    base = load_dump(args.baseline, "baseline")
    new = load_dump(args.current, "current")
    if not base.types:
        fail_usage(f"no types in {args.baseline}")
    if not new.types:
        fail_usage(f"no types in {args.current}")
    demangle_all([base, new], args.demangler)

    outcomes, type_problems = check_baseline(base, new)
    errors = 0

    # Members.
    api = [o for o in outcomes if o.decl.is_api]
    not_api = [o for o in outcomes if not o.decl.is_api]
    counts = {s: sum(1 for o in api if o.status == s) for s in ("in place", "moved", "missing", "changed")}
    api_types = sorted({o.decl.parent.qualified for o in api})
    print(
        f"check-api: baseline API: {len(api)} public members of {len(api_types)} types: "
        f"{counts['in place']} in place, {counts['moved']} found in protocol extensions or requirements, "
        f"{counts['missing']} missing, {counts['changed']} changed"
    )
    by_owner = {}
    for o in api:
        if o.status == "moved":
            by_owner.setdefault(o.decl.parent.qualified, {}).setdefault(o.detail, 0)
            by_owner[o.decl.parent.qualified][o.detail] += 1
    for owner, places in sorted(by_owner.items()):
        text = ", ".join(f"{n} via {w}" for w, n in sorted(places.items()))
        print(f"  {owner}: {text}")
    for o in api:
        if o.status in ("missing", "changed"):
            errors += 1
            print(f"error: {o.decl.kind.lower()} {o.decl.qualified} is {o.status}: {o.detail}")
    for decl, message in type_problems:
        if decl.is_api:
            errors += 1
            print(f"error: {message}")
        else:
            print(f"note: not API (@_spi or underscored) in the baseline: {message}")
    for o in not_api:
        if o.status in ("missing", "changed"):
            print(f"note: not API (@_spi or underscored) in the baseline, {o.status}: {o.decl.qualified}")
    if args.verbose:
        for o in outcomes:
            print(f"  [{o.status}] {o.decl.kind.lower()} {o.decl.qualified}  {o.detail}")

    # Digester lines.
    if args.digester_output:
        with open(args.digester_output, encoding="utf-8") as f:
            messages = [m.group(1).strip() for m in map(BREAKAGE.search, f) if m]
        explicit = read_explicit(args.explicit) if args.explicit else {}
        proven = {}
        for o in outcomes:
            key = (o.decl.kind, ".".join(o.decl.path), o.decl.printed)
            ok = o.status in ("in place", "moved")
            proven[key] = proven.get(key, True) and ok
        api_type_names = {q for q, d in base.types.items() if d.is_api}
        classified = {"M": [], "K": [], "S": [], "U": []}
        for message in messages:
            subject = parse_subject(message)
            if message in explicit:
                classified["K"].append(message)
                continue
            if subject is None:
                classified["U"].append(message)
                continue
            kind, owner, member = subject
            if member is None:
                decl = base.types.get(owner)
                if decl is not None and not decl.is_api:
                    classified["S"].append(message)
                else:
                    classified["U"].append(message)
                continue
            key = (kind, owner, member)
            if key in proven:
                decls = [o.decl for o in outcomes if (o.decl.kind, ".".join(o.decl.path), o.decl.printed) == key]
                if proven[key]:
                    classified["M"].append(message)
                elif all(not d.is_api for d in decls):
                    classified["S"].append(message)
                else:
                    classified["U"].append(message)
            elif owner in base.types and owner not in api_type_names:
                classified["S"].append(message)
            else:
                classified["U"].append(message)
        for message in classified["K"]:
            print(f"  allowed explicitly: {message}\n      reason: {explicit[message]}")
        for message in classified["S"]:
            print(f"  not API in the baseline (@_spi or underscored): {message}")
        for message in classified["U"]:
            errors += 1
            print(f"error: unexplained: API breakage: {message}")
        for message in sorted(set(explicit) - set(messages)):
            print(f"warning: explicitly allowed line no longer reported (remove it from the list): {message}")
        if args.allowlist_out:
            with open(args.allowlist_out, "w", encoding="utf-8") as f:
                for message in dict.fromkeys(classified["M"] + classified["K"] + classified["S"]):
                    f.write(f"API breakage: {message}\n")
        print(
            f"check-api: {len(messages)} digester lines, {len(classified['M'])} proven moves (allowlisted), "
            f"{len(classified['K'])} explicitly allowed protocol-conformance changes, {len(classified['S'])} not API "
            f"in the baseline (@_spi or underscored; allowlisted), {len(classified['U'])} unexplained"
        )
    if errors:
        print(f"check-api: FAILED: {errors} error(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
