"""Link the first use of each glossary term in every chapter to chapter 12.

    .venv/bin/python tools/link_glossary_terms.py [NN_slug ...]

For each chapter (all but the glossary itself, or those named) and each
term of ``chapters/12_glossary.md``, the first use of one of the term's
spellings in the prose becomes ``{term}`spelling <Term>```. Prose means
markdown outside code cells, code, math, roles, links, headings, labels
and directive options; the text inside prose directives (exercises,
admonitions, notes) counts. A chapter that already links a term is left
alone for that term, so the tool can be run again after edits. Then run
`make notebooks CHAPTERS=...`, which copies prose-only changes into the
executed notebooks without executing them, and `make pairs`.

``tests/test_glossary.py`` checks what this tool maintains: every term
linked from at least one chapter, every link landing on a term.
"""

from __future__ import annotations

import bisect
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
GLOSSARY = CHAPTERS / "12_glossary.md"

# How each term is written in running text (regexes, matched
# case-insensitively unless they start with (?-i)). Longer spellings first
# where one contains another ("max pooling" before "pooling").
SPELLINGS: dict[str, list[str]] = {
    "Activation function": [r"activation functions?"],
    "All-reduce": [r"all-reduces?", r"all-reduced"],
    "Adam": [r"(?-i:Adam)(?!W)"],
    "AdamW": [r"(?-i:AdamW)"],
    "Backpropagation": [r"backpropagation", r"backpropagat\w+"],
    "Batch normalization": [r"batch normalization", r"batch norm"],
    "Batch size": [r"batch sizes?"],
    "Bottleneck block": [r"bottleneck blocks?"],
    "Calibration": [r"calibration", r"calibrated"],
    "Channel": [r"channels?"],
    "Checkpoint": [r"checkpoints?"],
    "Class imbalance": [r"class imbalance", r"imbalanced?"],
    "Convolution": [r"true convolution", r"convolutions?"],
    "Convolutional layer": [r"convolutional layers?"],
    "Cross-correlation": [r"cross-correlations?"],
    "Cross-entropy": [r"cross-entropy"],
    "Data augmentation": [r"data augmentation", r"augmentation"],
    "Data parallelism": [
        r"data parallelism",
        r"data-parallel",
        r"(?-i:DistributedDataParallel)",
    ],
    "Depthwise separable convolution": [
        r"depthwise separable convolutions?",
        r"separable convolutions?",
    ],
    "Dilated convolution": [r"dilated convolutions?", r"dilation"],
    "Dropout": [r"dropout"],
    "Early stopping": [r"early stopping"],
    "Epoch": [r"epochs?"],
    "Feature map": [r"feature maps?"],
    "Feature extraction": [r"feature extraction"],
    "Filter": [r"filters?"],
    "Fine-tuning": [r"fine-tuning", r"fine-tuned?"],
    "Focal loss": [r"focal loss"],
    "Fully connected layer": [r"fully connected layers?", r"fully connected"],
    "Gradient descent": [r"gradient descent"],
    "He initialization": [r"(?-i:He) initialization", r"(?-i:Kaiming)"],
    "im2col": [r"im2col"],
    "Inception module": [r"Inception modules?"],
    "Intersection over union": [r"intersection over union", r"(?-i:IoU)"],
    "Knowledge distillation": [r"knowledge distillation", r"distillation"],
    "Label smoothing": [r"label smoothing"],
    "Learning rate": [r"learning rates?"],
    "Learning-rate schedule": [r"learning-rate schedules?"],
    "Local response normalization": [r"local response normalization"],
    "Local connectivity": [r"local connectivity", r"locally connected"],
    "Logits": [r"logits?"],
    "Loss scaling": [r"loss scaling", r"gradient scaler"],
    "Max pooling": [r"max pooling", r"max-pooling"],
    "Mixed precision": [r"mixed precision", r"mixed-precision"],
    "Momentum": [r"momentum"],
    "Multi-task learning": [r"multi-task learning", r"multi-task"],
    "One-cycle policy": [r"one-cycle"],
    "Overfitting": [r"overfitting", r"overfits?"],
    "Padding": [r"padding"],
    "Parameter sharing": [
        r"parameter sharing",
        r"weight sharing",
        r"shares? (?:its |the )?weights",
    ],
    "Pooling": [r"pooling"],
    "Receptive field": [r"receptive fields?"],
    "Predictive value": [r"predictive values?"],
    "Quantization": [r"quantization"],
    "ReLU": [r"(?-i:ReLU)"],
    "Residual connection": [r"residual connections?", r"skip connections?"],
    "ROC curve": [r"ROC curves?", r"(?-i:ROC)"],
    "Sensitivity": [r"sensitivity"],
    "Sharded training": [r"sharded training", r"(?-i:FSDP)", r"sharded"],
    "Sigmoid": [r"sigmoid"],
    "Softmax": [r"softmax"],
    "Specificity": [r"specificity"],
    "Stride": [r"strides?"],
    "Test set": [r"test sets?", r"test splits?"],
    "Translation equivariance": [
        r"translation equivariance",
        r"equivariant",
        r"equivariance",
    ],
    "Translation invariance": [
        r"translation invariance",
        r"invariant",
        r"invariance",
    ],
    "Throughput": [r"throughput"],
    "Transfer learning": [r"transfer learning"],
    "Validation set": [r"validation sets?", r"validation splits?"],
    "Weight decay": [r"weight decay"],
    "Xavier initialization": [r"(?-i:Xavier)", r"(?-i:Glorot)"],
}

# Chapters that use a term's word in another sense only: not linked.
OTHER_SENSE: dict[str, set[str]] = {
    # "sensitivity" of an output to a weight, not a test's
    "03_how_cnns_work": {"Sensitivity"},
    # calibrating quantization ranges, not calibrated probabilities
    "10_advanced_techniques": {"Calibration"},
    # a tensor's memory strides; a sampler's padding of the last batch
    "14_gpu_training": {"Stride", "Padding"},
}

# Directives whose body is prose (linked); every other fence is skipped.
PROSE_DIRECTIVES = {
    "admonition", "attention", "caution", "dropdown", "exercise", "hint",
    "important", "margin", "note", "seealso", "tip", "warning",
}  # fmt: skip

FENCE = re.compile(r"^(`{3,}|~{3,})\s*(\{([\w:-]+)\})?")
# Spans never to touch in prose: inline code and roles, math (inline
# math may run over several lines of a paragraph), links and images, HTML
# tags, substitutions.
PROTECTED = re.compile(
    r"\{[\w:-]+\}`[^`]*`|`[^`]*`|\$\$.*?\$\$|\$(?:[^$\n]|\n(?!\s*\n))+?\$"
    r"|!?\[[^\]]*\]\([^)]*\)|\[[^\]]*\]|<[^>\n]+>|\{\{[^}]*\}\}",
    re.S,
)
TERM_ROLE = re.compile(r"\{term\}`([^`<]*?)(?:\s*<([^>]+)>)?`")


def glossary_entries(text: str | None = None) -> dict[str, str]:
    """Chapter 12's glossary: each term and its definition, in order."""
    text = GLOSSARY.read_text(encoding="utf-8") if text is None else text
    body = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    # A term is a line at the margin (options start with ":"); its
    # definition is the indented text up to the next term.
    parts = re.split(r"^(\S[^\n]*)$", body, flags=re.M)
    return {
        term: definition
        for term, definition in zip(parts[1::2], parts[2::2], strict=True)
        if not term.startswith(":")
    }


def glossary_terms(text: str | None = None) -> list[str]:
    """The terms of chapter 12's glossary, in the order written."""
    return list(glossary_entries(text))


def term_links(text: str) -> list[str]:
    """The targets of every ``{term}`` role in a MyST text."""
    return [
        (target or label).strip() for label, target in TERM_ROLE.findall(text)
    ]


def prose_lines(lines: list[str]):
    """Indices of the lines of a MyST notebook that are running prose."""
    stack: list[tuple[str, bool]] = []  # (fence, is prose)
    in_math = False
    start = 0
    if lines and lines[0] == "---":  # front matter
        start = lines.index("---", 1) + 1
    for i in range(start, len(lines)):
        line = lines[i]
        match = FENCE.match(line.strip())
        if match:
            fence, name = match.group(1), match.group(3)
            if stack and line.strip() == stack[-1][0]:
                stack.pop()
                continue
            if name is not None or line.strip() != fence:
                stack.append((fence, name in PROSE_DIRECTIVES))
                continue
            stack.append((fence, False))
            continue
        if stack and not stack[-1][1]:
            continue
        stripped = line.strip()
        if stripped == "$$" or (
            stripped.startswith("$$") and not stripped.endswith("$$")
        ):
            in_math = not in_math
            continue
        if in_math:
            continue
        if (
            not stripped
            or stripped.startswith(("#", ":", "(", "+++", "|---", "<"))
            or re.match(r"^\(\S+\)=$", stripped)
        ):
            continue
        yield i


def _protected_spans(lines: list[str]) -> list[list[tuple[int, int]]]:
    """For each line, the (start, end) of the protected spans on it."""
    text = "\n".join(lines)
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    spans: list[list[tuple[int, int]]] = [[] for _ in lines]
    for match in PROTECTED.finditer(text):
        p, q = match.span()
        for i in range(bisect.bisect_right(starts, p) - 1, len(lines)):
            if starts[i] >= q:
                break
            spans[i].append((p - starts[i], q - starts[i]))
    return spans


def link_first_uses(
    text: str, terms: list[str], skip: set[str] = frozenset()
) -> tuple[str, list[str]]:
    """Link each term's first use in ``text``; return it and the terms.

    Terms already linked in ``text``, and those in ``skip``, are left.
    """
    lines = text.split("\n")
    already = {t.lower() for t in term_links(text)}
    todo = [t for t in terms if t.lower() not in already and t not in skip]
    # Longest spellings first, so "max pooling" wins over "pooling".
    patterns = sorted(
        ((s, t) for t in todo for s in SPELLINGS.get(t, [re.escape(t)])),
        key=lambda pair: -len(pair[0]),
    )
    linked: list[str] = []
    spans = _protected_spans(lines)
    for i in prose_lines(lines):
        for spelling, term in patterns:
            if term in linked:
                continue
            line = lines[i]
            regex = re.compile(rf"(?<![\w-]){spelling}(?![\w-])", re.I)
            for match in regex.finditer(line):
                a, b = match.span()
                if any(p < b and a < q for p, q in spans[i]):
                    continue
                role = f"{{term}}`{match.group(0)} <{term}>`"
                lines[i] = line[:a] + role + line[b:]
                # The new role is protected; spans after it move.
                shift = len(role) - (b - a)
                spans[i] = [
                    (p + shift, q + shift) if p >= b else (p, q)
                    for p, q in spans[i]
                ] + [(a, a + len(role))]
                linked.append(term)
                break
    return "\n".join(lines), linked


def main(names: list[str]) -> int:
    terms = glossary_terms()
    missing = sorted(set(SPELLINGS) - set(terms))
    if missing:
        print(f"spellings for terms not in the glossary: {missing}")
        return 1
    paths = (
        [CHAPTERS / f"{n}.md" for n in names]
        if names
        else sorted(p for p in CHAPTERS.glob("[0-9]*.md") if p != GLOSSARY)
    )
    for path in paths:
        text, linked = link_first_uses(
            path.read_text(encoding="utf-8"),
            terms,
            OTHER_SENSE.get(path.stem, set()),
        )
        path.write_text(text, encoding="utf-8")
        print(f"{path.name}: {len(linked)} terms linked")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
