"""A property test's law, as its docstring states it in Unicode, turned into Markdown with typeset maths.

The first paragraph of each test's docstring is its law, written for a terminal:
`L_i = Σ_{j≠y_i} max(0, s_ij − s_iy_i + Δ)`. On the site the formulas in it are typeset. The
docstrings stay as they are (they are what pytest prints); this module finds the formula runs in the
sentence and rewrites each as `$...$` LaTeX, leaving the prose around them untouched:

- a *run* is a maximal sequence of space-separated tokens that are not English words (a word being
  three or more letters, or a short word such as "a", "is", "of"); a run ends at a sentence's `.`,
  `:` or `;`;
- a run is typeset only if it holds a mathematical sign (=, ≤, Σ, a Greek letter, a subscript
  `s_ij`, a number like `1e-6`, ...); a run of plain names that are contract functions becomes code;
- within a run, Unicode signs become LaTeX commands, `s_iy_i` becomes `s_{iy_i}`, `X1` becomes
  `X_1`, `1e-6` becomes `10^{-6}`, and function names become `\\texttt{...}`.

Anything this does not recognise stays as text, so a law never loses a character.
"""

from __future__ import annotations

import re

SCRIPTS = {"²": "^{2}", "ᵀ": r"^{\top}", "⁻¹": "^{-1}", "₁": "_{1}", "₂": "_{2}"}  # before names: they are \w
SIGNS = {
    "Σ": r"\sum ", "∇": r"\nabla ", "∂": r"\partial ", "ε": r"\varepsilon ", "λ": r"\lambda ",
    "α": r"\alpha ", "β": r"\beta ", "Δ": r"\Delta ", "π": r"\pi ", "≤": r"\le ", "≥": r"\ge ",
    "≠": r"\ne ", "∈": r"\in ", "→": r"\to ", "·": r"\cdot ", "−": "-", "‖": r"\| ", "⟨": r"\langle ",
    "⟩": r"\rangle ", "±": r"\pm ", "~": r"\sim ",
}
STRONG = re.compile(r"[=<>+Σ∇∂ελαβΔπ≤≥≠∈→·−‖⟨⟩±~²ᵀ₁₂⁻/^|]|[A-Za-z]_|\d(?:\.\d+)?e[+-]?\d")
FUNCTIONS = {"max": r"\max", "min": r"\min", "log": r"\log", "exp": r"\exp", "inf": r"\infty"}
OPERATORS = {"rel", "softmax", "onehot", "atol", "mean"}  # named operators, upright
SHORT_WORDS = {"a", "an", "as", "at", "be", "by", "if", "in", "is", "it", "of", "on", "or", "so", "to", "we", "no"}
WORD = re.compile(r"[A-Za-z]{3,}")


def _letters(token: str) -> str:
    return re.sub(r"[^A-Za-z_]", "", token)


def _is_prose(token: str, code_names: set[str]) -> bool:
    if token.lstrip("(").rstrip(",.;:)").lower() in SHORT_WORDS:
        return True
    if "∂" in token:
        return False  # ∂(mean L)/∂S: a derivative, whatever it differentiates
    names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", token))
    if any(_is_code(n) for n in names):
        return False  # a code name such as relative_error or batch_size
    called = set(re.findall(r"([A-Za-z_]\w*)\(", token))
    words = [w for n in names if not re.fullmatch(r"[A-Za-z]_\w+", n) for w in WORD.findall(n)]
    return any(w not in FUNCTIONS and w not in ((OPERATORS | code_names) & called) for w in words)


def _is_code(name: str) -> bool:
    """A Python name with an underscore that is not a subscripted symbol (s_ij): relative_error."""
    return "_" in name and bool(WORD.search(name)) and not re.fullmatch(r"[A-Za-z]_\w+", name)


def _latex(run: str, code_names: set[str]) -> str:
    out = run
    for sign, tex in SCRIPTS.items():
        out = out.replace(sign, tex)
    out = re.sub(r"\b(max|min)_", r"\\\1_", out)
    out = re.sub(r"\^([A-Za-z0-9]+)", r"^{\1}", out)
    out = re.sub(r"\b(\d+(?:\.\d+)?)e([+-]?\d+)\b",
                 lambda m: (f"{m[1]} \\times " if m[1] != "1" else "") + f"10^{{{int(m[2])}}}", out)
    out = re.sub(r"\b([A-Za-z_][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*)\b", lambda m: _name(m[1], code_names), out)
    for sign, tex in SIGNS.items():
        out = out.replace(sign, tex)
    return re.sub(r" +", " ", out).strip()


def _name(name: str, code_names: set[str]) -> str:
    if name in FUNCTIONS:
        return FUNCTIONS[name] + " "
    if name in OPERATORS:
        return rf"\operatorname{{{name}}}"
    if name in code_names or _is_code(name):
        return r"\texttt{" + name.replace("_", r"\_") + "}"
    m = re.fullmatch(r"([A-Za-z])_(\w+)", name)
    if m:
        return f"{m[1]}_{{{m[2]}}}"
    m = re.fullmatch(r"([A-Za-z])(\d)", name)
    if m:
        return f"{m[1]}_{m[2]}"
    return name


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def law_markdown(text: str, code_names: set[str]) -> str:
    """The law `text` (one line) as Markdown: formula runs as `$...$`, contract names as code."""
    tokens = text.split(" ")
    out: list[str] = []
    run: list[str] = []

    def flush():
        if not run:
            return
        body = " ".join(run)
        tail = ""
        while body and body[-1] in ",.;:":
            body, tail = body[:-1], body[-1] + tail
        lead = ""
        while body.startswith("(") and body.count("(") > body.count(")"):
            lead, body = lead + "(", body[1:]
        if STRONG.search(body) and _balanced(body):
            out.append(f"{lead}${_latex(body, code_names)}${tail}")
        elif any(n in code_names for n in re.findall(r"[A-Za-z_]\w*", body)) and "`" not in body:
            out.append(f"{lead}`{body}`{tail}")
        else:
            out.append(lead + body + tail)
        run.clear()

    tokens = [t for t in tokens if t]
    for i, token in enumerate(tokens):
        if _is_prose(token, code_names) or "`" in token:
            if not run and WORD.fullmatch(token) and tokens[i + 1 : i + 2] == ["="]:
                run.append(rf"\text{{{token}}}")  # loss = ...: the quantity's name starts the formula
                continue
            flush()
            out.append(token)
            continue
        run.append(token)
        body = " ".join(run)
        if token.endswith((".", ":", ";")) and body.count("(") == body.count(")") and body.count("[") == body.count("]"):
            flush()
    flush()
    return " ".join(out)
