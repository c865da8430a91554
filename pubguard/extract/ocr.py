"""Shared OCR: one lazily created RapidOCR engine per process, guarded by a lock.

Why these settings: measured on this machine (2 cores) on a rendered A4 公文 page at 150 dpi
(1240x1755 px, 21 text lines), 4 calls per fresh process. Other jobs shared the CPU, so wall
times swing 2-4x; CPU seconds (process time, both threads) are the steadier figure.

    default RapidOCR()        quiet: 1st call 4.4 s, then 2.4-2.5 s wall.
                              loaded: 1st 7.3-19.5 s wall / 8.6-10.4 s CPU, then 3.1-13 s / 5.7-7.0 s CPU.
                              95.1 % of characters right.
    ours (below)              quiet: 1st call 3.4-3.6 s, then 2.2-2.4 s wall (before the arena change).
                              loaded: 1st 3.6-14 s wall / 6.4-7.9 s CPU, then 2.5-15 s / 4.6-6.8 s CPU.
                              98.8 % of characters right.

- use_cls=False: the angle classifier costs time *and* accuracy on upright office scans (it
  flipped lines).
- onnxruntime CPU memory arena on (RapidOCR forces it off): first-call CPU 10.1-10.3 s -> 5.4-6.6 s,
  later calls 6.0-8.6 s -> 4.7-6.5 s in paired runs.
- One intra-op thread per core (max 4), one inter-op thread: inter-op parallelism only adds
  contention on 2 cores.
- rec_batch_num 6 (the default): batches of 8 or 16 were slower (more padding, 2.6-2.9 s), 1 too.
- Shrinking the page (max_side_len=1280) saved nothing and lost characters.

Second round (one core, `PUBGUARD_OCR_THREADS=1`; 9 rendered pages with known text: 12/16 pt
at 150 dpi, 10.5 pt, 16 pt at 300 dpi, JPEG q70, 14 pt at 200 dpi, plus 4 pages of 7-9 pt text;
CPU s per A4 page at 150 dpi, characters right on the 9 pages / on the 7-9 pt pages; same
loaded machine, paired runs):

    before                         2.9-5.1 CPU s   98.02 % / 97.95 %   (2 threads: 2.35 s wall)
    rec height 32 (_REC_HEIGHT)    2.2-2.4 CPU s   98.53 % / 98.58 %   recognition was ~80 % of it
    + detection long side 1280     1.3-1.5 CPU s   98.63 % / 98.25 %   detection 1.0-1.5 -> 0.3-0.4 s
    + rec batch 2 (_REC_BATCH)     1.1-1.3 CPU s   98.46 % on all 13 (before: 97.99 %); 2 threads 0.7-0.9 s wall

- Recognition input height: 48 upscaled 20-30 px lines ~2x. 40: 92.97 %, 36: 95.61 % (worse
  than 48 on this set), 32: 98.53 %, 28: 98.45 %, 24: 98.61 % but fastest; 32 kept as the step
  closest to the trained size (real scans and handwriting are noisier than rendered pages).
- Squeezing lines horizontally (0.8x / 0.6x width at height 48): 92.5 / 94.4 %, rejected.
- Detection long side 960: 98.72 %, 0.15 s faster than 1280, but 7-9 pt text lost 0.3-0.8 point
  more: 1280 kept. Rec crops always come from the full-resolution page.
- Cropping to the ink bounding box before OCR (detector skips blank margins): no measurable gain
  once detection runs at 1280 (1.55 vs 1.48 CPU s), 2.01 vs 2.24 s without the detection limit;
  not kept.
- Batch 1-2 vs 6 at height 32: 20-30 % less CPU on one core; with 2 threads no difference.

RapidOCR 3.x (`pip install 'pubguard[ocr]'`: PP-OCRv6 small models in its wheel), measured with
`bench/ocr_engines.py` (13 rendered pages of the samples' 公文 text, 22 lines each: 10.5-16 pt at
150-300 dpi, JPEG q70, red text, two scanned-looking pages, and 7/8/8.5/9 pt; one thread; CPU s per
page, median; characters right overall / on the 7-9 pt pages). Runs in one quiet period, paired:

    1.x tuned (for reference)        1.27 CPU s   99.03 % / 98.67 %
    3.x, settings above only         3.02 CPU s   99.68 % / 99.87 %
    + detection long side 1280       2.28 CPU s   99.70 % / 99.87 %
    + detection long side 960        2.15 CPU s   99.68 % / 99.80 %   (kept: _DET_MAX_SIDE_V3)
    + detection long side 800/720    1.99/2.03    99.66/99.68 % / 99.80 %

- Its recogniser has a fixed input height of 48 (onnxruntime refuses 32), so the biggest 1.x
  gain (_REC_HEIGHT) is not available; that is most of the gap to 1.x.
- No change (within noise, earlier loaded period where the 1280 run took 3.10 s): recogniser
  batch 6 (3.09 s), box_thresh 0.6 (3.21 s), no dilation (3.51 s), no vertical padding (3.29 s),
  max_side_len 4000 so 300 dpi pages are recognised at full size (3.32 s); accuracy equal to
  +-0.02 point. Left at their defaults.
- 3.x reads better than tuned 1.x on this set (0.65 point overall, 1.2 on small text) at ~1.7x
  its CPU time.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pubguard.document import RGB, BBox, BlockKind, TextBlock

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image as PILImage

# Font size in points is roughly the OCR box height times this (box includes a margin but
# the detector box is tighter than the em box); measured 1.13-1.18 on 16-26 pt text.
_BOX_TO_FONT_SIZE = 1.15

# RapidOCR upscales every image whose short side is below this before detection. Its default
# (736) turned a 700x90 text strip into a 5700x736 detection pass (1.3-4 s); at 480 the same
# strip takes ~0.3 s, small 10-14 px text is still read, and pages rendered at 150 dpi
# (short side 1240 px) are not affected at all.
_DET_MIN_SIDE = 480
# Text *detection* runs on the page shrunk to this long side (never below _DET_MIN_SIDE on the
# short side); recognition still crops the lines from the full-resolution page. 12 pt text at
# 150 dpi is ~18 px tall at this scale, plenty for the DB detector.
_DET_MAX_SIDE = 1280
# The same for RapidOCR 3.x, whose PP-OCRv6 detector is heavier: 960 (see the module docstring).
_DET_MAX_SIDE_V3 = 960
# Height of the recogniser's input lines (the model was exported for 48; its input height is
# dynamic). Body text on a 150 dpi page is 20-30 px tall, so 48 meant upscaling every line ~2x
# and paying ~2.3x the compute for it; 32 reads as well or better (see module docstring).
_REC_HEIGHT = 32
# Lines per recogniser call: lines are sorted by width and padded to the widest of the batch;
# small batches pad less and kept tensors in cache (1-2 were 20-30 % faster than 6 at height 32).
_REC_BATCH = 2

_ENGINE: Any = None
_ENGINE_LOCK = threading.Lock()

# CJK ideographs, CJK punctuation, full-width forms: no spaces belong next to them.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_RE = re.compile(f"[{_CJK}]")


@dataclass(slots=True)
class OcrLine:
    """One recognised text line; coordinates in image pixels."""

    text: str
    bbox: BBox
    confidence: float
    char_boxes: list[BBox] = field(default_factory=list)  # one per character of `text`
    color: RGB | None = None  # estimated ink colour (red 红头 on scans)


def _threads() -> int:
    env = os.environ.get("PUBGUARD_OCR_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(os.cpu_count() or 1, 4))


def get_engine() -> Any:
    """The process-wide engine, created on first use (model load ~0.2 s)."""
    global _ENGINE
    if _ENGINE is None:
        with _ENGINE_LOCK:
            if _ENGINE is None:
                _ENGINE = _create_engine()
    return _ENGINE


OCR_MISSING = "未安装 OCR 组件（pip install 'pubguard[ocr]'），图片和扫描页中的文字未被识别和检查。"


@lru_cache(maxsize=1)
def ocr_available() -> bool:
    """True when an OCR engine can be created: `rapidocr_onnxruntime` (what `make install`
    adds, tuned below) or `rapidocr` 3.x (what `pip install 'pubguard[ocr]'` brings: it depends
    on opencv-python-headless, so no GUI OpenCV lands over the headless one)."""
    from importlib.util import find_spec

    if find_spec("onnxruntime") is None:
        return False
    return find_spec("rapidocr_onnxruntime") is not None or find_spec("rapidocr") is not None


def _create_engine() -> Any:
    try:
        return _create_engine_v1()
    except ImportError:
        pass
    try:
        return _RapidOcr3(_create_engine_v3())
    except ImportError as exc:
        raise RuntimeError(OCR_MISSING) from exc


def _create_engine_v3(extra: dict[str, Any] | None = None) -> Any:
    """RapidOCR 3.x (models inside its wheel; never downloads when they are there) with the
    settings measured for 1.x where 3.x has them: no angle classifier, one inter-op thread,
    the CPU memory arena on, small recogniser batches, per-character boxes and detection at most
    _DET_MAX_SIDE_V3 (bench/ocr_engines.py; figures in the module docstring). Its PP-OCRv6
    recogniser has a fixed input height of 48, so _REC_HEIGHT does not apply. `extra`: rapidocr parameters on top (the benchmark's variants)."""
    from rapidocr import RapidOCR

    params: dict[str, Any] = {
        "Global.use_cls": False,
        "Global.log_level": "warning",
        "Global.return_word_box": True,
        "Global.return_single_char_box": True,
        "EngineConfig.onnxruntime.intra_op_num_threads": _threads(),
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
        "Det.limit_side_len": _DET_MIN_SIDE,
        "Rec.rec_batch_num": _REC_BATCH,
    }
    params.update(extra or {})
    engine = RapidOCR(params=params)
    _limit_detection_size_v3(engine)
    return engine


def _limit_detection_size_v3(engine: Any) -> None:
    """`_limit_detection_size` for RapidOCR 3.x: its detector builds a fresh pre-processor
    (`get_preprocess()`) for every image; give it one that applies `_det_ratio`. Left alone if
    the internals differ (the engine then works as before, only slower)."""
    try:
        from rapidocr.ch_ppocr_det.utils import DetPreProcess

        det = engine._load_det_model()
        mean, std = det.mean, det.std
    except (ImportError, AttributeError):
        return

    class _Resize(DetPreProcess):  # type: ignore[misc, valid-type]
        def resize(self, img: Any) -> Any:
            h, w = img.shape[:2]
            ratio = _det_ratio(h, w, _DET_MAX_SIDE_V3)
            if ratio >= 1.0:
                self.limit_type, self.limit_side_len = "min", round(min(h, w) * ratio)
            else:
                self.limit_type, self.limit_side_len = "max", round(max(h, w) * ratio)
            return super().resize(img)

    det.get_preprocess = lambda: _Resize(_DET_MIN_SIDE, "min", mean, std)


class _RapidOcr3:
    """Gives a RapidOCR 3.x engine the 1.x call shape used by `ocr_image`:
    `engine(bgr, return_word_box=True) -> ([(quad, text, score, char_quads), ...], elapsed)`."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def __call__(self, bgr: Any, return_word_box: bool = True) -> tuple[list[tuple[Any, ...]], float]:
        out = self.engine(bgr)
        if out is None or out.boxes is None or not out.txts:
            return [], 0.0
        words = out.word_results if out.word_results and len(out.word_results) == len(out.txts) else None
        items = []
        for i, (quad, text, score) in enumerate(zip(out.boxes, out.txts, out.scores, strict=False)):
            chars = [w[2] for w in words[i]] if words and all(w[2] is not None for w in words[i]) else None
            if chars is not None and len(chars) != len(text):
                chars = _with_space_boxes(text, chars)
            items.append((quad, text, score, chars))
        return items, float(getattr(out, "elapse", 0.0) or 0.0)


def _with_space_boxes(text: str, chars: list[Any]) -> list[Any] | None:
    """RapidOCR 3.x gives boxes for the visible characters only: give each space of `text` a
    zero-width box at the right edge of the character before it, so the boxes line up with the
    text again (None when they do not: the caller then splits the line box evenly)."""
    visible = [ch for ch in text if not ch.isspace()]
    if len(visible) != len(chars) or not chars:
        return None
    out: list[Any] = []
    it = iter(chars)
    for ch in text:
        if ch.isspace():
            ref = out[-1] if out else chars[0]
            x = max(float(p[0]) for p in ref) if out else min(float(p[0]) for p in ref)
            ys = [float(p[1]) for p in ref]
            out.append([[x, min(ys)], [x, min(ys)], [x, max(ys)], [x, max(ys)]])
        else:
            out.append(next(it))
    return out


def _create_engine_v1() -> Any:
    """RapidOCR with our settings. RapidOCR switches onnxruntime's CPU memory arena off and
    offers no option for it; with the arena on, the first page cost about half the CPU time
    (see module docstring), so its session-options hook is wrapped while the engine is built."""
    from rapidocr_onnxruntime import RapidOCR

    session_cls: Any = None
    original: Any = None
    try:
        from rapidocr_onnxruntime.utils import infer_engine

        session_cls = infer_engine.OrtInferSession
        original = session_cls._init_sess_opts
    except (ImportError, AttributeError):
        session_cls = None
    if session_cls is not None:

        def with_arena(config: dict[str, Any]) -> Any:
            opts = original(config)
            opts.enable_cpu_mem_arena = True
            return opts

        session_cls._init_sess_opts = staticmethod(with_arena)
    try:
        engine = RapidOCR(
            use_cls=False,
            intra_op_num_threads=_threads(),
            inter_op_num_threads=1,
            rec_batch_num=_REC_BATCH,
            # Width 320 keeps the model's minimum aspect ratio (320/48) at the new height.
            rec_img_shape=[3, _REC_HEIGHT, round(_REC_HEIGHT * 320 / 48)],
            det_limit_side_len=_DET_MIN_SIDE,
            print_verbose=False,
        )
    finally:
        if session_cls is not None:
            session_cls._init_sess_opts = staticmethod(original)
    _limit_detection_size(engine)
    return engine


def _det_ratio(h: int, w: int, max_side: int | None = None) -> float:
    """Scale of the detection input: short side at least _DET_MIN_SIDE (RapidOCR's own rule),
    long side at most _DET_MAX_SIDE unless that would shrink the short side below the minimum."""
    lo, hi = min(h, w), max(h, w)
    if lo < _DET_MIN_SIDE:
        return _DET_MIN_SIDE / lo
    max_side = max_side or _DET_MAX_SIDE
    if hi > max_side:
        return min(1.0, max(max_side / hi, _DET_MIN_SIDE / lo))
    return 1.0


def _limit_detection_size(engine: Any) -> None:
    """RapidOCR's detector resizes by one limit only ("min" side or a fixed ladder of "max"
    sides): give it a pre-processor that applies both (`_det_ratio`). Boxes come back in the
    coordinates of the image it was given, so recognition is unaffected. Left alone if the
    RapidOCR internals differ (the engine then works as before, only slower)."""
    try:
        from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

        det = engine.text_det
        mean, std = det.mean, det.std
    except (ImportError, AttributeError):
        return

    class _Resize(DetPreProcess):  # type: ignore[misc, valid-type]
        def resize(self, img: Any) -> Any:
            h, w = img.shape[:2]
            ratio = _det_ratio(h, w)
            if ratio >= 1.0:
                self.limit_type, self.limit_side_len = "min", round(min(h, w) * ratio)
            else:
                self.limit_type, self.limit_side_len = "max", round(max(h, w) * ratio)
            return super().resize(img)

    det.get_preprocess = lambda _max_wh: _Resize(_DET_MIN_SIDE, "min", mean, std)


def _quad_bbox(quad: Any) -> BBox:
    xs = [float(p[0]) for p in quad]
    ys = [float(p[1]) for p in quad]
    return (min(xs), min(ys), max(xs), max(ys))


def _split_box(bbox: BBox, n: int) -> list[BBox]:
    """Fallback char boxes: the line box cut into n equal slices."""
    x0, y0, x1, y1 = bbox
    if n <= 0:
        return []
    w = (x1 - x0) / n
    return [(x0 + i * w, y0, x0 + (i + 1) * w, y1) for i in range(n)]


def _strip_cjk_spaces(text: str, boxes: list[BBox]) -> tuple[str, list[BBox]]:
    """Drop spaces next to CJK characters (and their boxes): the recogniser emits them
    between Chinese glyphs that are spaced out, which would break term matching."""
    keep_chars: list[str] = []
    keep_boxes: list[BBox] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch.isspace():
            prev = next((text[j] for j in range(i - 1, -1, -1) if not text[j].isspace()), "")
            nxt = next((text[j] for j in range(i + 1, n) if not text[j].isspace()), "")
            if not prev or not nxt or _CJK_RE.match(prev) or _CJK_RE.match(nxt):
                continue
            if keep_chars and keep_chars[-1] == " ":
                continue
            ch = " "
        keep_chars.append(ch)
        keep_boxes.append(boxes[i])
    return "".join(keep_chars), keep_boxes


def _ink_color(rgb: Any, bbox: BBox) -> RGB | None:
    """Median colour of the ink pixels inside the line box (pixels clearly darker or more
    saturated than the paper), so red text on a scan stays red."""
    import numpy as np

    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = (int(max(0, bbox[0])), int(max(0, bbox[1])), int(min(w, bbox[2])), int(min(h, bbox[3])))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    crop = rgb[y0:y1, x0:x1].reshape(-1, 3).astype(np.int16)
    lum = crop.mean(axis=1)
    sat = crop.max(axis=1) - crop.min(axis=1)
    paper = np.percentile(lum, 90)
    ink = crop[(lum < paper - 60) | (sat > 80)]
    if len(ink) < 5:
        return None
    med = np.median(ink, axis=0)
    return (int(med[0]), int(med[1]), int(med[2]))


def to_rgb(img: PILImage.Image) -> PILImage.Image:
    """RGB on white paper: transparent pixels become white, 16-bit greys are scaled."""
    from PIL import Image

    if img.mode == "RGB":
        return img
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        import numpy as np

        arr = np.asarray(img, dtype=np.float64)
        hi = float(arr.max()) or 1.0
        return Image.fromarray((arr * (255.0 / hi)).clip(0, 255).astype("uint8"), "L").convert("RGB")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    return img.convert("RGB")


def ocr_image(img: PILImage.Image) -> list[OcrLine]:
    """Recognise the text lines of an image, top to bottom."""
    import numpy as np

    rgb = np.ascontiguousarray(np.asarray(to_rgb(img)))
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    engine = get_engine()
    with _ENGINE_LOCK:
        result, _elapsed = engine(bgr, return_word_box=True)
    lines: list[OcrLine] = []
    for item in result or []:
        quad, text, score = item[0], str(item[1]), float(item[2])
        word_quads = item[3] if len(item) > 3 else None
        bbox = _quad_bbox(quad)
        if word_quads and len(word_quads) == len(text):
            boxes = [_quad_bbox(q) for q in word_quads]
        else:
            boxes = _split_box(bbox, len(text))
        text, boxes = _strip_cjk_spaces(text, boxes)
        if not text:
            continue
        lines.append(OcrLine(text, bbox, score, boxes, _ink_color(rgb, bbox)))
    return lines


def ocr_blocks(
    img: PILImage.Image,
    page: int,
    scale: float = 1.0,
    first_paragraph: int = 0,
    offset: tuple[float, float] = (0.0, 0.0),
) -> list[TextBlock]:
    """OCR an image into `BlockKind.OCR` blocks, one paragraph per line. `scale` converts
    image pixels to page units (72/dpi for a rendered PDF page) and `offset` is added after."""
    dx, dy = offset

    def conv(b: BBox) -> BBox:
        return (b[0] * scale + dx, b[1] * scale + dy, b[2] * scale + dx, b[3] * scale + dy)

    blocks: list[TextBlock] = []
    for i, line in enumerate(ocr_image(img)):
        bbox = conv(line.bbox)
        blocks.append(
            TextBlock(
                text=line.text,
                page=page,
                kind=BlockKind.OCR,
                bbox=bbox,
                # In page units (pt for PDF pages, px for images): good for comparing sizes.
                font_size=round((bbox[3] - bbox[1]) * _BOX_TO_FONT_SIZE, 1),
                color=line.color,
                paragraph=first_paragraph + i,
                char_boxes=[conv(b) for b in line.char_boxes],
                confidence=round(line.confidence, 4),
                source="ocr",
            )
        )
    return blocks


__all__ = ["OCR_MISSING", "OcrLine", "get_engine", "ocr_available", "ocr_image", "ocr_blocks", "to_rgb"]
