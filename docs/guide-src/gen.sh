#!/bin/bash
# Chạy lại mọi lệnh trong hướng dẫn; kết quả ghi vào out/*.txt
cd "$(dirname "$0")"
mkdir -p out
# The binary: $CHAMDIEM_BIN_DIR, else the release build of this checkout.
export PATH="${CHAMDIEM_BIN_DIR:-$(cd ../.. && pwd)/target/release}:$PATH"
run() { # $1 = tên tệp kết quả, phần còn lại = lệnh
  local name=$1; shift
  { echo "\$ $*"; bash -c "$*" 2>&1; echo "[mã thoát: $?]"; } > out/$name.txt
}
run packs "chamdiem packs"
# Tây Ninh từng bước
cp tay-ninh/pack.rhai /tmp/tn-final.rhai
mv tay-ninh/examples.jsonl /tmp/tn-examples.jsonl
head -n 9 /tmp/tn-final.rhai > tay-ninh/pack.rhai
run tn1 "chamdiem check tay-ninh"
head -n 12 /tmp/tn-final.rhai > tay-ninh/pack.rhai
run tn2 "chamdiem check tay-ninh"
head -n 13 /tmp/tn-final.rhai > tay-ninh/pack.rhai
run tn3 "chamdiem check tay-ninh"
cp /tmp/tn-final.rhai tay-ninh/pack.rhai
run tn4 "chamdiem check tay-ninh"
mv /tmp/tn-examples.jsonl tay-ninh/examples.jsonl
run tn5 "chamdiem test tay-ninh"
run tn6 "chamdiem score tay-ninh/dn-84.jsonl --pack vn.enterprise --period 2024 --format table"
run tn7 "chamdiem score tay-ninh/dn-84.jsonl --pack tay-ninh --period 2024 --format table"
# hàm dùng chung
run hl1 "chamdiem score hai-lan-doi-thoai/dn.jsonl --pack tay-ninh.enterprise --period 2024 --format table"
run hl2 "chamdiem score hai-lan-doi-thoai/dn.jsonl --pack hai-lan-doi-thoai --period 2024 --format table"
run hl3 "chamdiem check hai-lan-doi-thoai"
run hl4 "chamdiem score hai-lan-doi-thoai/dn.jsonl --pack probe/arity --period 2024 --format table"
# từ đầu
run td1 "chamdiem check tu-dau"
cp tu-dau/examples.jsonl /tmp/td-ok.jsonl; cp tu-dau/examples-sai.jsonl.txt tu-dau/examples.jsonl
run td2 "chamdiem test tu-dau"
cp /tmp/td-ok.jsonl tu-dau/examples.jsonl
run td3 "chamdiem test tu-dau"
run td4 "chamdiem score tu-dau/don-vi.jsonl --pack tu-dau --period 2024 --format table"
# sân chơi
run sc1 "chamdiem check san-choi"
run sc2 "echo '{\"id\":\"SC-1\",\"employees\":120,\"ownership\":\"fdi\",\"dates\":[\"2024-03-15\",\"2024-09-20\"]}' | chamdiem score --pack san-choi --period 2024 --format table"
run sc3 "echo '{\"id\":\"SC-2\",\"employees\":20,\"ownership\":\"state\",\"dates\":[],\"note\":\"hộ kinh doanh\"}' | chamdiem score --pack san-choi --period 2024 --format table"
# Gò Dầu
run gd1 "chamdiem check go-dau"
run gd2 "chamdiem test go-dau"
run gd3 "chamdiem test go-dau-sai"
run gd4 "chamdiem score go-dau/doanh-nghiep-go-dau-2024.csv --pack go-dau --period 2024 --format table"
run gd5 "chamdiem score go-dau/doanh-nghiep-go-dau-2024.jsonl --pack go-dau --period 2024"
run gd6 "chamdiem score go-dau/doanh-nghiep-go-dau-2024.csv --pack go-dau --period 2024 --format csv"
run gd7 "chamdiem score go-dau/doanh-nghiep-go-dau-2024.csv --pack go-dau --period 2026"
run gd8 "chamdiem score ../../examples/doanh-nghiep-2024.csv --pack go-dau --period 2024 --format csv -o go-dau/ket-qua-300.csv"
# thay đổi
run tdoi "chamdiem check thay-doi"
# lỗi
for f in loi/*.rhai; do b=$(basename $f .rhai); run loi-$b "chamdiem check $f"; done
run loi-score-30 "chamdiem score full.jsonl --pack loi/30-vong-lap.rhai --period 2024 --format table"
run loi-score-31 "chamdiem score full.jsonl --pack loi/31-de-quy.rhai --period 2024 --format table"
run loi-score-33 "chamdiem score full.jsonl --pack loi/33-chuoi-dai.rhai --period 2024 --format table"
run loi-score-50 "chamdiem score loi/50.jsonl --pack loi/50-thieu-else.rhai --period 2024 --format table"
run loi-score-52 "chamdiem score loi/50.jsonl --pack loi/52-gate-unit.rhai --period 2024 --format table"
run loi-44 "chamdiem score loi/44.jsonl --pack loi/44-ap-dung.rhai --period 2024 --format table"
run loi-45 "chamdiem score loi/44.jsonl --pack loi/45-ap-dung-dung.rhai --period 2024 --format table"
run loi-test-02 "chamdiem test loi/02-tong-diem.rhai"
run loi-noex "chamdiem test noex/x.rhai"
run gd-sai2 "chamdiem test go-dau-sai2"
# import
run imp1 "chamdiem check import-hang-so"
run imp0 "chamdiem score full.jsonl --pack import-hang-so --period 2024 --format table"
run imp3 "chamdiem check import-ham"
run imp2 "chamdiem score full.jsonl --pack import-ham --period 2024 --format table"
# probes
run pr-ltunit "echo '{\"id\":\"a\"}' | chamdiem score --pack probe/ltunit.rhai --period 2024 --format table"
run pr-equnit "echo '{\"id\":\"a\"}' | chamdiem score --pack probe/equnit.rhai --period 2024 --format table"
run pr-addunit "echo '{\"id\":\"a\"}' | chamdiem score --pack probe/addunit.rhai --period 2024 --format table"
run pr-fnglobal "chamdiem check probe/fnglobal.rhai"
run pr-award "echo '{\"id\":\"a\"}' | chamdiem score --pack probe/award.rhai --period 2024 --format table"
run pr-over "echo '{\"id\":\"a\"}' | chamdiem score --pack probe/over.rhai --period 2024 --format table"
run pr-partbad "echo '{\"id\":\"a\"}' | chamdiem score --pack probe/partbig.rhai --period 2024 --format table"
run pr-retbool "echo '{\"id\":\"a\",\"x\":3}' | chamdiem score --pack probe/retbool.rhai --period 2024 --format table"
run pr-ar3 "chamdiem check probe/ar3.rhai"
run pr-dates1 "echo '{\"id\":\"a\",\"d\":\"2024-01-25\",\"ds\":[\"2024-03-01\",\"01/03/2024\",\"2025-01-01\"]}' | chamdiem score --pack probe/dates.rhai --period 2024 --format table"
run pr-dates2 "echo '{\"id\":\"a\",\"d\":null,\"ds\":[]}' | chamdiem score --pack probe/dates.rhai --period 2024-07-01..2024-12-31 --format table"
run pr-strcount "echo '{\"id\":\"a\"}' | chamdiem score --pack probe/strcount.rhai --period 2024 --format table"
run pr-fields "chamdiem score probe/f.jsonl --pack probe/fields.rhai --period 2024 --format table"
run pr-fields-csv "chamdiem score probe/f.csv --pack probe/fields.rhai --period 2024 --format table"
run pr-app "chamdiem score probe/app.jsonl --pack vn.enterprise --period 2024 --format table"
run pr-gates "chamdiem score probe/g9.jsonl --pack probe/gates.rhai --period 2024 --format table"
run pf1 "chamdiem score full.jsonl --pack tay-ninh.duong-minh-chau.enterprise"
run pf2 "chamdiem score full.jsonl --pack tay-ninh.duong-minh-chau.enterprise --period 2025-07-01..2025-12-31"
run pf3 "chamdiem score full.jsonl --pack vn.enterprise --period 24"
run cwd1 "chamdiem check vn.enterprise"
run cwd2 "chamdiem check ./vn.enterprise"
run hx1 "chamdiem check huyen-x"
run hx3 "chamdiem score full.jsonl --pack huyen-x --period 2024 --format table"
run hx2 "chamdiem check huyen-x/pack2.rhai"
run rong1 "chamdiem score go-dau-rong/dn-khong-bao-cao.jsonl --pack go-dau-rong --period 2024 --format table"
run rong2 "chamdiem score go-dau-rong/dn-khong-bao-cao.jsonl --pack go-dau --period 2024 --format table"
run dk1 "chamdiem score dieu-kien/dn.jsonl --pack dieu-kien --period 2024 --format table"
run rong0 "chamdiem check go-dau-rong"
run gd6b "chamdiem score go-dau/doanh-nghiep-go-dau-2024.csv --pack go-dau --period 2024 --format csv --bom -o ket-qua.csv"
run tr1 "chamdiem check truong"
run tr2 "chamdiem score truong/du-lieu.jsonl --pack truong --period 2024 --format table"
run tr3 "chamdiem score truong/du-lieu.csv --pack truong --period 2024 --format table"
run hc1 "echo '{\"id\":\"x\",\"loai\":[\"zzz\"],\"so\":[-5],\"ngay\":\"1999-01-01\"}' | chamdiem score --pack han-che/danh-sach.rhai --period 2024 --format table"
run pr-ngay-sai "echo '{\"id\":\"a\"}' | chamdiem score --pack probe/ngay-sai.rhai --period 2024 --format table"
run imp4 "chamdiem score full.jsonl --pack probe/import-rule --period 2024 --format table"
run imp5 "chamdiem score full.jsonl --pack probe/import-rule2 --period 2024 --format table"
run gd-sai3 "chamdiem test go-dau-sai3"
run sc-jsonl "chamdiem score truong/du-lieu.jsonl --pack truong --period 2024"
run test-vn "chamdiem test vn.enterprise"
run loi-noex-path "chamdiem check ./khong-co"
run dk2 "chamdiem score dieu-kien/dn.jsonl --pack dieu-kien-gon --period 2024 --format table"
run tn-builtin "chamdiem check tay-ninh.enterprise"
run dmc-check "chamdiem check tay-ninh.duong-minh-chau.enterprise"
run hc2 "chamdiem check han-che/bo-han.rhai"
# sau khi engine đổi: import trong hàm, danh sách, thứ tự cột CSV
run imp6 "chamdiem check import-trong-ham"
run imp7 "chamdiem score hai-lan-doi-thoai/dn.jsonl --pack import-trong-ham --period 2024 --format table"
run imp8 "chamdiem check probe/import-rule"
run imp9 "chamdiem score full.jsonl --pack import-trong-quy-tac --period 2024 --format table"
run gd6c "chamdiem score go-dau/doanh-nghiep-go-dau-2024.csv --pack go-dau --period 2024 --format csv 2>/dev/null | head -n 1 | tr ',' '\n' | grep -n '^criteria\.[56]'"
run ds1 "chamdiem score danh-sach/du-lieu.jsonl --pack danh-sach --period 2024 --format table"
run dk0 "chamdiem check dieu-kien"
run pr-anybelow "chamdiem score full.jsonl --pack probe/any-below-int.rhai --period 2024 --format table"
# kết quả luôn đúng (issue 5): bộ nhớ kết quả, mức có điều kiện, ngày chặt, tỷ lệ
run pr-kieu-viet-check "chamdiem check probe/kieu-viet.rhai"
run pr-kieu-viet "chamdiem score full.jsonl --pack probe/kieu-viet.rhai --period 2024 --format table"
run pr-kieu-viet-sai-check "chamdiem check probe/kieu-viet-sai.rhai"
run pr-kieu-viet-sai "chamdiem score full.jsonl --pack probe/kieu-viet-sai.rhai --period 2024 --format table"
run pr-chi-doc "chamdiem score full.jsonl --pack probe/chi-doc.rhai --period 2024 --format table"
run pr-dem "printf '{\"id\":\"a\"}\\n{\"id\":\"b\"}\\n{\"id\":\"c\"}\\n' | chamdiem score --pack probe/dem.rhai --period 2024 --format table"
run pr-memo-off "diff <(chamdiem score ../../examples/doanh-nghiep-2024.csv --period 2024 2>/dev/null) <(CHAMDIEM_MEMO=off chamdiem score ../../examples/doanh-nghiep-2024.csv --period 2024 2>/dev/null) && echo 'giống hệt nhau'"
run xs1 "chamdiem check xuat-sac"
run xs2 "chamdiem test xuat-sac"
run xs3 "chamdiem score xuat-sac/dn.jsonl --pack xuat-sac --period 2024 --format table"
run xs4 "chamdiem score xuat-sac/dn.jsonl --pack xuat-sac --period 2024 | grep -o '\"gates\":.*\"reasons\"'"
run xs5 "chamdiem score xuat-sac/dn.jsonl --pack xuat-sac --period 2024 --format csv | cut -d, -f1-5,33,34"
run pr-lich "chamdiem score probe/lich.jsonl --pack probe/lich.rhai --period 2024 --format table"
run pr-lich-json "chamdiem score probe/lich.jsonl --pack probe/lich.rhai --period 2024 | grep -o '\"errors\":\\[[^]]*\\]'"
run pr-ty-le "chamdiem score probe/ty-le.jsonl --pack probe/ty-le.rhai --period 2024 --format table"
run pr-ty-le-nc "chamdiem score probe/ty-le.jsonl --pack probe/ty-le-nhan-cheo.rhai --period 2024 --format table"
run pr-ty-le-23 "echo '{\"id\":\"x\"}' | chamdiem score --pack probe/ty-le-23.rhai --period 2024 --format table"
run pr-so-sanh "chamdiem score probe/so-sanh-truong.jsonl --pack probe/so-sanh-truong.rhai --period 2024 --format table"
