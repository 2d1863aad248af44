import json, sys
# Hiển thị rút gọn một tệp examples.jsonl: bản ghi chỉ giữ id và các trường khác bản ghi đầu tiên.
src, dst = sys.argv[1], sys.argv[2]
lines = [json.loads(l) for l in open(src) if l.strip() and not l.startswith('//')]
base = lines[0]['record']
out = []
for i, ex in enumerate(lines):
    rec = ex['record']
    if i == 0:
        keep = {k: rec[k] for k in list(rec)[:2]}
        extra = {k: v for k, v in rec.items() if k not in base}
    else:
        keep = {'id': rec.get('id')}
        extra = {k: v for k, v in rec.items() if k != 'id' and (k not in base or base[k] != v)}
    missing = [k for k in base if k not in rec]
    r = json.dumps(keep, ensure_ascii=False)[:-1] + ', …'
    if extra:
        r += ', ' + json.dumps(extra, ensure_ascii=False)[1:-1]
    r += '}'
    s = '{"name": %s, "period": %s, "record": %s, "expect": %s}' % (
        json.dumps(ex['name'], ensure_ascii=False), json.dumps(ex['period']), r,
        json.dumps(ex['expect'], ensure_ascii=False))
    if missing:
        s += '   ← bản ghi không có: ' + ', '.join(missing)
    out.append(s)
open(dst, 'w').write('\n'.join(out) + '\n')
