# Shared layout of the generated validation papers (gen_v.py, gen_w.py, gen_x.py): HTML laid out
# like Vietnamese administrative papers, which LibreOffice turns into PDF.
import json, html
docs = []
CSS = """<style>body{font-family:'Liberation Serif';font-size:14pt} td{vertical-align:top;font-size:13pt}
.c{text-align:center} .b{font-weight:bold} .i{font-style:italic} p{text-align:justify;margin:0 0 6pt 0}
table.g{border-collapse:collapse} table.g td{border:1px solid black;padding:2pt}</style>"""

def header(left, right_top="ĐẢNG CỘNG SẢN VIỆT NAM", right_sub="", place_date=""):
    r = f"<span class='b'>{right_top}</span>" + (f"<br/><span class='b'>{right_sub}</span>" if right_sub else "")
    if place_date: r += f"<br/><span class='i'>{place_date}</span>"
    return f"<table width='100%'><tr><td class='c' width='45%'>{left}</td><td class='c' width='55%'>{r}</td></tr></table>"

def state_header(left, place_date):
    return header(left, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", place_date)

def title(*lines):
    out = f"<p class='c b' style='font-size:15pt;margin-top:12pt'>{lines[0]}</p>"
    for l in lines[1:]:
        out += f"<p class='c i'>{l}</p>"
    return out

def paras(text):
    return "".join(f"<p>{l}</p>" for l in text.strip().split("\n"))

def sig2(left, right):
    return f"<table width='100%' style='margin-top:12pt'><tr><td width='50%' class='c'>{left}</td><td width='50%' class='c'>{right}</td></tr></table>"

def noi_nhan(items):
    return "<span class='b i'>Nơi nhận:</span><br/>" + "<br/>".join(items)

def add(name, body, roster, kind, nominee, **kw):
    docs.append(dict(name=name, html="<html><head><meta charset='utf-8'/>"+CSS+"</head><body><p>&nbsp;</p>"+body+"</body></html>",
                     roster=roster, kind=kind, nominee=nominee, **kw))


def write(roster, expect_file):
    """Writes every added paper as HTML and their expectations as JSON."""
    exp = []
    for d in docs:
        open(d["name"]+".html", "w", encoding="utf-8").write(d["html"])
        exp.append({k: v for k, v in d.items() if k != "html"})
    json.dump({"roster": roster, "cases": exp}, open(expect_file, "w"), ensure_ascii=False, indent=1)
    print(len(docs))
