#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks that every relative link and every repository path mentioned in the documentation resolves.

Usage: Scripts/check-links.py [--check-figures] [--root REPO_ROOT]

Checked:
- Markdown links, images and reference definitions, `[text](path)`, `![alt](path)`, `[ref]: path`, and HTML
  `src="..."` / `href="..."`, in README.md, CONTRIBUTING.md, CHANGELOG.md, SECURITY.md, Examples/README.md,
  Verification/README.md, Benchmarks/RESULTS.md and the DocC articles (Sources/**/*.docc/**/*.md). A path resolves
  against the file's folder (or, starting with `/`, the repository root). An anchor, `#heading` or `file.md#heading`,
  must name a heading of that Markdown file (GitHub's slugs) or an HTML `id`/`name` in it.
- Repository paths mentioned in code spans, `Benchmarks/RESULTS.md`, in the prose of those files and in the doc
  comments (`///` lines) of Sources/**/*.swift, and Markdown links in those doc comments. A code span is taken for a
  repository path when it has a `/`, no spaces or pattern characters, and its first component exists at the
  repository root, in the file's folder or in a folder above it (so `Module/File.swift` or `linux/rseq.h` is not
  one); it must then exist relative to one of those folders. A path that .gitignore names (a build or crash folder)
  needs not exist.
Skipped: http(s), mailto and other URLs with a scheme (there is no network), DocC's `doc:` links and double-backtick
symbol links, fenced code blocks, and code spans with placeholders (`*`, `<...>`, `$`, `{...}`).

Prints every broken link as `file:line: broken link: target` and exits 1 if there is any.
--check-figures also runs `Benchmarks/compare.py --check` (the README's generated benchmark block, RESULTS.md and
the chart match Benchmarks/results.json) and fails if it does.
"""

import argparse
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

MARKDOWN_FILES = ("README.md", "CONTRIBUTING.md", "CHANGELOG.md", "SECURITY.md", "Examples/README.md",
                  "Verification/README.md", "Benchmarks/RESULTS.md")
MARKDOWN_GLOBS = ("Sources/**/*.docc/**/*.md",)
SWIFT_GLOBS = ("Sources/**/*.swift",)

INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^()\s]+(?:\([^()\s]*\)[^()\s]*)*)"
                         r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
HTML_ATTRIBUTE = re.compile(r"\b(?:src|href)\s*=\s*\"([^\"]+)\"")
CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"\b(?:id|name)\s*=\s*\"([^\"]+)\"")
NOT_A_PATH = re.compile(r"[\s*?<>{}$()\[\]=,;\"'|\\@]|://|^-|^~|^\.\.\.|\.\.\.$")


class Checker:
    def __init__(self, root):
        self.root = root.resolve()
        self.broken = []  # (file, line, target)
        self.checked = 0

    # Files -------------------------------------------------------------------------------------------------

    def markdown_files(self):
        files = [self.root / name for name in MARKDOWN_FILES if (self.root / name).is_file()]
        for pattern in MARKDOWN_GLOBS:
            files += sorted(p for p in self.root.glob(pattern) if p.is_file())
        return files

    def swift_files(self):
        files = []
        for pattern in SWIFT_GLOBS:
            files += sorted(p for p in self.root.glob(pattern) if p.is_file() and ".build" not in p.parts)
        return files

    def name(self, path):
        return str(path.relative_to(self.root))

    # Resolving -----------------------------------------------------------------------------------------------

    def bases(self, source):
        """The folders a mention in `source` may be relative to: its own, each above it, the root."""
        folders, folder = [], source.parent
        while True:
            folders.append(folder)
            if folder == self.root or self.root not in folder.parents:
                break
            folder = folder.parent
        return folders

    def inside(self, path):
        resolved = path.resolve()
        return resolved == self.root or self.root in resolved.parents

    @lru_cache(maxsize=None)
    def ignored(self, relative):
        """Whether .gitignore names the path (or a folder it is in): a generated location, allowed to be absent."""
        for candidate in (relative, relative.rstrip("/") + "/", relative.rstrip("/") + "/_"):
            result = subprocess.run(["git", "-C", str(self.root), "check-ignore", "-q", "--no-index", candidate],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if result.returncode == 0:
                return True
        return False

    @lru_cache(maxsize=None)
    def anchors(self, path):
        """GitHub's heading slugs of a Markdown file, and its HTML ids and names."""
        found, counts, in_fence = set(), {}, None
        for line in path.read_text(errors="replace").splitlines():
            fence = FENCE.match(line)
            if fence:
                marker = fence.group(1)[0]
                in_fence = None if in_fence == marker else (in_fence or marker)
                continue
            if in_fence:
                continue
            found.update(HTML_ANCHOR.findall(line))
            heading = HEADING.match(line)
            if heading:
                slug = github_slug(heading.group(2))
                count = counts.get(slug, 0)
                counts[slug] = count + 1
                found.add(slug if count == 0 else f"{slug}-{count}")
        return frozenset(found)

    def report(self, source, line, target):
        self.broken.append((self.name(source), line, target))

    def check_link(self, source, line, target):
        target = target.strip()
        if target.startswith("<") and target.endswith(">"):
            target = target[1:-1]
        if not target or SCHEME.match(target):
            return  # http(s), mailto, doc: and other URLs: not checked here
        self.checked += 1
        path_part, _, anchor = target.partition("#")
        path_part = unquote(path_part.split("?", 1)[0])
        if path_part:
            resolved = (self.root / path_part.lstrip("/")) if path_part.startswith("/") else (source.parent / path_part)
            if not self.inside(resolved):
                self.report(source, line, target)
                return
            if not resolved.exists():
                if not self.ignored(str(resolved.resolve().relative_to(self.root))):
                    self.report(source, line, target)
                return
        else:
            resolved = source
        if anchor and resolved.is_file() and resolved.suffix == ".md":
            if unquote(anchor).lower() not in self.anchors(resolved):
                self.report(source, line, target)

    def check_mention(self, source, line, text):
        """A code span's text, checked if it looks like a repository path."""
        candidate = re.sub(r"(:\d+)+$", "", text.strip()).split("#", 1)[0]
        if "/" not in candidate or NOT_A_PATH.search(candidate) or SCHEME.match(candidate):
            return
        candidate = candidate.lstrip("./") if candidate.startswith("./") else candidate
        if candidate.startswith("/"):
            return  # an absolute path on the machine (/proc, /opt/swift): not the repository's
        first = candidate.split("/", 1)[0]
        bases = self.bases(source)
        if not any((base / first).exists() for base in bases):
            return  # `Module/File.swift`, `linux/rseq.h`: not a path of this repository
        self.checked += 1
        for base in bases:
            if (base / candidate).exists():
                return
        if self.ignored(candidate.rstrip("/")):
            return
        self.report(source, line, candidate)

    # Scanning ------------------------------------------------------------------------------------------------

    def scan_text(self, source, line, text):
        """One line of Markdown prose (a Markdown file's, or a doc comment's)."""
        for span in CODE_SPAN.finditer(text):
            if len(span.group(1)) == 1:  # ``Symbol`` is a DocC symbol link
                self.check_mention(source, line, span.group(2))
        prose = CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)
        for match in INLINE_LINK.finditer(prose):
            self.check_link(source, line, match.group(1))
        definition = REFERENCE_DEFINITION.match(prose)
        if definition:
            self.check_link(source, line, definition.group(1))
        for match in HTML_ATTRIBUTE.finditer(prose):
            self.check_link(source, line, match.group(1))

    def scan_markdown(self, path):
        in_fence = None
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            fence = FENCE.match(line)
            if fence:
                marker = fence.group(1)[0]
                in_fence = None if in_fence == marker else (in_fence or marker)
                continue
            if not in_fence:
                self.scan_text(path, number, line)

    def scan_swift(self, path):
        in_fence = None
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            stripped = line.lstrip()
            if not stripped.startswith("///"):
                in_fence = None
                continue
            text = stripped[3:]
            fence = FENCE.match(text.lstrip())
            if fence:
                marker = fence.group(1)[0]
                in_fence = None if in_fence == marker else (in_fence or marker)
                continue
            if not in_fence:
                self.scan_text(path, number, text)

    def run(self):
        for path in self.markdown_files():
            self.scan_markdown(path)
        for path in self.swift_files():
            self.scan_swift(path)
        return self.broken


def github_slug(heading):
    """The anchor GitHub gives a heading: its text, lower-cased, without punctuation, spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").replace("*", "")
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--check-figures", action="store_true",
                        help="also run Benchmarks/compare.py --check (the README's generated benchmark block)")
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent), help="the repository root")
    options = parser.parse_args()
    root = Path(options.root)

    checker = Checker(root)
    broken = checker.run()
    for source, line, target in broken:
        print(f"{source}:{line}: broken link: {target}")
    status = 1 if broken else 0
    print(f"check-links: {checker.checked} relative links and repository paths checked, {len(broken)} broken",
          file=sys.stderr)
    if options.check_figures:
        result = subprocess.run([sys.executable, str(root / "Benchmarks" / "compare.py"), "--check",
                                 "--readme", str(root / "README.md")])
        status = status or (1 if result.returncode != 0 else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
