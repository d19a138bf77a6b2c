"""Rules, the SentenceTagger estimator, the shipped model and the tagging entry points."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from nlp_reports.errors import ModelError
from nlp_reports.tagging.classifier import SentenceTagger
from nlp_reports.tagging.rules import LABELS, Unit, apply_rules, fired_rules, lf_analysis, load_rules
from nlp_reports.tagging.tagger import PROBA_COLUMNS, load_model, tag_frame

# invented sentences, five per label
TOY = {
    "problem": ["政策解读形式单一，缺少图解。", "信息员队伍以兼职为主，业务能力有待提高。", "部分村级公开栏更新不够及时。",
                "网站栏目设置不够合理，群众查找困难。", "依申请公开答复文书规范性仍需加强。"],
    "measure": ["建立公开事项清单，每月由办公室审核发布。", "召开政务公开专题会议两次，部署年度任务。",
                "通过微信公众号发布政策解读材料。", "组织全镇信息员开展业务培训。", "修订依申请公开办理流程并印发各单位。"],
    "commitment": ["下一步，我们将进一步提高政务公开工作水平。", "确保各项工作落到实处。", "全年经济增长5%左右。",
                   "今后要切实增强服务意识。", "力争群众满意度明显提升。"],
    "boilerplate": ["现将有关情况报告如下：", "取得了较好的社会效果。", "五、存在的主要问题及改进情况",
                    "根据《中华人民共和国政府信息公开条例》要求，特编制本报告。", "各位代表："],
    "other": ["全年共主动公开政府信息320条。", "本年度未收到政府信息公开申请。", "领导小组由分管副镇长任组长。",
              "全年地区生产总值增长6.1%。", "本年度未发生行政复议案件。"],
}
X_TOY = [t for lab in LABELS for t in TOY[lab]]
Y_TOY = [lab for lab in LABELS for _ in TOY[lab]]


def test_rules_are_data_with_names_version_and_reasons():
    rs = load_rules()
    assert rs.version and len(rs.checksum) == 64
    assert len(set(rs.names)) == len(rs.names)
    assert all(r.why for r in rs.rules) and {r.label for r in rs.rules} == set(LABELS)


def test_rules_fire_and_explain():
    rs = load_rules()
    votes = apply_rules(rs, [Unit("政府信息公开培训工作还有待加强。"), Unit("全年共公开政府信息854条。"), Unit("你好")])
    assert fired_rules(rs, votes[0]) == ["problem.youdai"]
    assert "other.statistic" in fired_rules(rs, votes[1])
    assert fired_rules(rs, votes[2]) == []
    table = lf_analysis(rs, votes, [0, 4, 4])
    assert {"coverage", "overlaps", "conflicts", "accuracy"} <= set(table.columns)
    assert table.set_index("rule").loc["problem.youdai", "accuracy"] == 1.0


def test_context_conditions_need_known_context():
    rs = load_rules()
    item = "一是建立村级公开栏月度巡查制度。"
    inside = fired_rules(rs, apply_rules(rs, [Unit(item, "问题与改进", True)])[0])
    unknown = fired_rules(rs, apply_rules(rs, [Unit(item)])[0])
    assert "measure.improvement_item" in inside and "measure.improvement_item" not in unknown


def test_estimator_contract_clone_pipeline_gridsearch():
    est = SentenceTagger(C=0.5, use_words=False)
    assert clone(est).get_params() == est.get_params()
    pipe = Pipeline([("tagger", SentenceTagger(use_words=False))])
    pipe.fit(X_TOY, Y_TOY)
    assert set(pipe.predict(["全年共主动公开政府信息100条。"])) <= set(LABELS)
    gs = GridSearchCV(SentenceTagger(use_words=False), {"C": [0.5, 2.0]}, cv=2, scoring="f1_macro")
    gs.fit(X_TOY * 2, Y_TOY * 2)
    assert gs.best_params_["C"] in (0.5, 2.0)
    with pytest.raises(Exception, match="not fitted|NotFitted"):
        SentenceTagger().predict(["x"])
    with pytest.raises(ValueError, match="unknown labels"):
        SentenceTagger().fit(["a", "b"], ["problem", "nonsense"])


def test_predict_proba_rows_sum_to_one_and_learn_toy_data():
    m = SentenceTagger().fit(X_TOY * 2, Y_TOY * 2)
    p = m.predict_proba(X_TOY)
    assert p.shape == (len(X_TOY), 5) and np.allclose(p.sum(axis=1), 1)
    assert (m.predict(X_TOY) == np.array(Y_TOY)).mean() > 0.8


@pytest.mark.parametrize("params", [{"C": 1.0}, {"classifier": "logreg", "use_rules": False},
                                    {"use_words": False, "use_context": False},
                                    {"use_edges": True, "edge_weight": 0.5, "use_rules": False},
                                    {"use_edges": True, "context_dropout": 0.5, "use_rules": False}])
def test_compiled_tagger_equals_estimator_and_round_trips(tmp_path, params):
    import skops.io as sio

    from nlp_reports.tagging.compiled import read_state
    from nlp_reports.tagging.tagger import save_model

    est = SentenceTagger(**params).fit(X_TOY * 2, Y_TOY * 2)
    probe = X_TOY + ["你好", "", "一是建立村级公开栏月度巡查制度。"]
    path = tmp_path / "m.skops"
    save_model(est, path)
    loaded = load_model(path)
    assert np.allclose(loaded.predict_proba(probe), est.predict_proba(probe), atol=1e-12)
    assert (loaded.predict(probe) == est.predict(probe)).all()
    assert loaded.get_params() == {k: v for k, v in est.get_params().items()}
    # and both equal scikit-learn's own predict_proba of the fitted model
    from nlp_reports.tagging.features import as_frame

    ref = est.model_.predict_proba(est._features(as_frame(probe)))
    ref = ref[:, [list(est.model_.classes_).index(c) for c in est.classes_]]
    assert np.allclose(loaded.predict_proba(probe), ref / ref.sum(axis=1, keepdims=True), atol=1e-12)
    # a plain skops file: skops itself reads it with no trusted type at all
    assert sio.get_untrusted_types(file=path) == []
    state = sio.load(path, trusted=[])
    assert set(state) == set(read_state(path))
    # the same model gives the same bytes (the model card's checksum is reproducible)
    refit = SentenceTagger(**params).fit(X_TOY * 2, Y_TOY * 2)
    assert save_model(refit, tmp_path / "again.skops") == save_model(est, path)


def test_word_ngram_lookup_equals_string_reference():
    from nlp_reports.tagging.features import WordNgramTfidf

    docs = [["政务", "公开", "工作"], ["公开", "工作", "有待", "加强"], ["政务", "公开"], [], ["加强", "政务"]]
    v = WordNgramTfidf(min_df=1).fit(docs)
    col = {str(t): i for i, t in enumerate(v.terms_)}
    counts = np.zeros((len(docs), len(col)))
    for r, d in enumerate(docs):
        for g in d + [f"{a} {b}" for a, b in zip(d, d[1:], strict=False)]:
            counts[r, col[g]] += 1
    tf = np.where(counts > 0, 1 + np.log(np.maximum(counts, 1)), 0) * v.idf_
    tf /= np.maximum(np.linalg.norm(tf, axis=1, keepdims=True), 1e-300)
    assert np.allclose(v.transform(docs).toarray(), tf)
    assert v.transform([["未知词", "政务", "公开"]]).nnz == 3  # 政务, 公开, 政务 公开


def test_context_dropout_is_seeded_and_keeps_the_rules_accuracy():
    X = pd.DataFrame({"text": X_TOY * 2, "section": ["问题与改进"] * 50, "in_self_critique": [True] * 50})
    a = SentenceTagger(context_dropout=0.5, random_state=3).fit(X, Y_TOY * 2)
    b = SentenceTagger(context_dropout=0.5, random_state=3).fit(X, Y_TOY * 2)
    assert np.allclose(a.predict_proba(X_TOY), b.predict_proba(X_TOY))
    # rule accuracies are measured on the units as given, context included
    assert a.rule_accuracy_ == SentenceTagger(random_state=3).fit(X, Y_TOY * 2).rule_accuracy_


def test_edge_keys_see_where_the_verb_stands():
    from nlp_reports.tagging.features import FeatureSpec, edge_keys, word_docs

    spec = FeatureSpec()
    action, state = edge_keys(spec, word_docs(spec, ["一是压降政府债务规模。", "政府债务规模有序压降。"]))
    assert action[:2] == ("w1=压降", "p1=v") and state[1] == "p1=n" and state[3] == "pl=v"
    assert edge_keys(spec, [["（", "一", "）"], []]) == [(), ()]


def test_direct_tfidf_equals_sparse_reference():
    import scipy.sparse as sp

    from nlp_reports.tagging.features import _sublinear_tfidf, tfidf_from_pairs

    rng = np.random.default_rng(0)
    rows, cols = rng.integers(0, 7, 300), rng.integers(0, 40, 300)
    rows[rows == 3] = 4  # an empty row
    idf = rng.uniform(1, 3, 40)
    ref = _sublinear_tfidf(sp.csr_matrix((np.ones(300), (rows, cols)), shape=(8, 40)), idf)
    assert np.allclose(tfidf_from_pairs(rows, cols, (8, 40), idf).toarray(), ref.toarray(), atol=1e-14)
    assert tfidf_from_pairs(np.zeros(0, int), np.zeros(0, int), (2, 5), idf[:5]).nnz == 0


def test_compiled_reader_refuses_objects(tmp_path):
    import skops.io as sio

    from nlp_reports.tagging.compiled import read_state

    path = tmp_path / "est.skops"
    sio.dump(SentenceTagger(C=3.0), path)  # an estimator object, not a compiled state
    with pytest.raises(ModelError, match=r"est\.skops.*only arrays and plain values"):
        read_state(path)


def test_pipeline_path_does_not_import_sklearn():
    code = ("import sys, nlp_reports as nr; nr.tag_sentences(['全年共主动公开政府信息854条。']); "
            "print(sorted(m for m in ('sklearn', 'skops') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]"


# ---------------------------------------------------------------- shipped model


@pytest.fixture(scope="module")
def model():
    try:
        return load_model()
    except ModelError as e:
        pytest.skip(f"shipped model unusable: {e}")


def test_tag_sentences_interface(model):
    from nlp_reports import tag_sentences

    df = tag_sentences(["政务公开队伍建设有待加强。", "全年共主动公开政府信息854条。"], ["问题与改进", "主动公开"], [True, False])
    assert list(df.columns) == ["text", "label", *PROBA_COLUMNS, "rules", "decided_by"]
    assert df.label.tolist() == ["problem", "other"]
    assert np.allclose(df[PROBA_COLUMNS].sum(axis=1), 1)
    assert tag_sentences([]).empty
    with pytest.raises(ValueError, match="sections has 1 entries for 2 texts"):
        tag_sentences(["a", "b"], ["主动公开"])


def test_analyze_agrees_with_tag_sentences(model, corpus_dir):
    import nlp_reports as nr

    a = nr.analyze(corpus_dir / "texts" / "0026.txt", critique=False)
    s = a.sentences
    df = nr.tag_sentences(s.text.tolist(), s.section.astype(object).where(s.section.notna(), None).tolist(),
                          s.in_self_critique.tolist())
    assert (df.label.to_numpy() == s.label.astype(str).to_numpy()).all()
    assert np.allclose(df[PROBA_COLUMNS].to_numpy(), s[PROBA_COLUMNS].to_numpy())
    crit = s[s.in_self_critique]
    # 0026 is a dev report: its three problems are not all recognised (the second, 渠道有限 without a
    # deficiency cue word, goes to commitment with the current model; see the model card's confusion)
    assert (crit.label == "problem").sum() >= 2 and (crit.label == "measure").sum() + (crit.label == "commitment").sum() >= 3


def test_every_row_says_which_layer_decided(model):
    out = tag_frame(pd.DataFrame({"text": ["打印本页 关闭窗口", "二是拓宽获取信息渠道。"]}), model)
    assert set(out.decided_by) <= {"model", "rules"}
    assert out.loc[0, "label"] == "boilerplate" and "boilerplate.page_furniture" in out.loc[0, "rules"]


def test_tampered_model_is_refused(tmp_path):
    src = Path(__file__).resolve().parents[1] / "models"
    if not (src / "sentence_tagger.skops").is_file():
        pytest.skip("no shipped model")
    dst = tmp_path / "models"
    shutil.copytree(src, dst)
    with open(dst / "sentence_tagger.skops", "r+b") as f:
        f.seek(200)
        f.write(b"\x00\x01\x02")
    with pytest.raises(ModelError, match="checksum mismatch"):
        load_model(dst / "sentence_tagger.skops")
    (dst / "sentence_tagger.skops").write_bytes(b"not a zip")
    with pytest.raises(ModelError):
        load_model(dst / "sentence_tagger.skops", verify=False)


def test_no_pickle_in_model_load_path():
    import inspect

    import nlp_reports.tagging.tagger as t

    src = inspect.getsource(t)
    assert "pickle" not in src.replace("never pickle", "")


def test_cli_tag_sentences(tmp_path, model):
    inp = tmp_path / "in.jsonl"
    inp.write_text("\n".join(json.dumps(o, ensure_ascii=False) for o in [
        {"text": "政务公开队伍建设有待加强。", "section": "问题与改进", "in_self_critique": True, "id": 7},
        {"text": "全年共主动公开政府信息854条。"},
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = subprocess.run([sys.executable, "-m", "nlp_reports.interfaces.cli", "tag-sentences", str(inp), "-o", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["id"] == 7 and rows[0]["label"] == "problem"
    assert abs(sum(rows[1][c] for c in PROBA_COLUMNS) - 1) < 1e-3
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "nlp_reports.interfaces.cli", "tag-sentences", str(bad), "-o", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "bad.jsonl:1" in r.stderr


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=5))
def test_tagger_never_fails_and_probabilities_sum_to_one(texts):
    try:
        m = load_model()
    except ModelError:
        return
    out = tag_frame(texts, m)
    assert len(out) == len(texts)
    assert np.allclose(out[PROBA_COLUMNS].sum(axis=1), 1, atol=1e-6)
    assert set(out.label) <= set(LABELS)


def test_single_scan_rules_match_rule_by_rule_reference(corpus_reports):
    from nlp_reports.tagging.rules import apply_rules_slow

    rs = load_rules()
    units = [Unit(s.text, s.canonical_section, s.in_self_critique)
             for d in ("0014", "0026", "1001", "1052", "1060") for s in corpus_reports[d].sentences]
    assert (apply_rules(rs, units) == apply_rules_slow(rs, units)).all()
