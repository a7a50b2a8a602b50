# Generates HTML documents laid out like Vietnamese administrative papers; LibreOffice makes the
# PDFs: python3 gen_w.py && soffice --headless --convert-to pdf:writer_pdf_Export *.html && rm *.html
# expect.json merges the expectations of both generators (rosters "val" and "v2").
# Held-out validation documents: HTML laid out like Vietnamese administrative papers, converted by
# LibreOffice to PDF. Expectations in expect.json.
from papers import *  # noqa: F401,F403 (CSS, header, title, paras, sig2, noi_nhan, add, write)
# --- self-assessments
add("w_sa1", header("ĐẢNG ỦY KHỐI DOANH NGHIỆP<br/><b>ĐẢNG ỦY CÔNG TY</b>", place_date="Hòa Nam, ngày 11 tháng 11 năm 2028")
 + title("BẢN TỰ NHẬN XÉT, ĐÁNH GIÁ", "năm 2028")
 + paras("""Tôi, Phạm Thị Thủy, Bí thư Đảng ủy, Chủ tịch Hội đồng thành viên Công ty, tự nhận xét như sau:
Về chính trị tư tưởng: trung thành, kiên định. Về phẩm chất đạo đức, lối sống: trong sáng, giản dị. Về ý thức tổ chức kỷ luật: nghiêm túc chấp hành. Về kết quả thực hiện chức trách, nhiệm vụ: doanh thu đạt 112% kế hoạch, lợi nhuận tăng 8%. Chồng và các con tôi luôn chấp hành tốt pháp luật.
Đồng chí Phạm Thị Thùy, Phó Bí thư, đã phối hợp tốt trong công tác xây dựng Đảng.""")
 + sig2("", "<b>NGƯỜI TỰ NHẬN XÉT</b><br/><br/><b>Phạm Thị Thủy</b>"), "v2", "self_assessment", "p01")
add("w_sa2", header("HUYỆN ỦY HÒA VANG<br/>*", place_date="Hòa Vang, ngày 12 tháng 11 năm 2028")
 + title("BÁO CÁO KIỂM ĐIỂM CÁ NHÂN", "Của đồng chí Phạm Thị Thùy - Phó Bí thư Thường trực Huyện ủy")
 + paras("""1. Phẩm chất chính trị: vững vàng. 2. Đạo đức, lối sống: gương mẫu. 3. Ý thức tổ chức kỷ luật: tốt. 4. Kết quả thực hiện nhiệm vụ được giao: hoàn thành xuất sắc. 5. Trách nhiệm nêu gương: chồng, con chấp hành tốt pháp luật.
Khuyết điểm: chưa quyết liệt trong chỉ đạo chuyển đổi số. Biện pháp khắc phục: xây dựng lộ trình cụ thể.""")
 + sig2("", "<b>NGƯỜI KIỂM ĐIỂM</b><br/><br/><br/>"), "v2", "self_assessment", "p02")
add("w_ad1", title("KÊ KHAI TÀI SẢN, THU NHẬP NĂM 2028")
 + "<table class='g' width='100%'><tr><td>Họ và tên người kê khai</td><td>NGUYỄN THỊ BÍCH NGỌC</td></tr>"
   "<tr><td>Năm sinh</td><td>1980</td></tr><tr><td>Chức vụ</td><td>Phó Trưởng Ban Pháp chế HĐND tỉnh</td></tr>"
   "<tr><td>Họ và tên vợ/chồng</td><td>Lê Hoàng Việt</td></tr></table>"
 + paras("""Tài sản: quyền sử dụng đất ở 90 m2 tại phường Thạch Thang, giá trị 2.100.000.000 đồng; nhà ở 3 tầng; tiền gửi 350.000.000 đồng.
Tổng thu nhập giữa hai lần kê khai: 480.000.000 đồng.""")
 + sig2("<b>NGƯỜI NHẬN BẢN KÊ KHAI</b><br/><br/>Trần Văn Mạnh", "<b>NGƯỜI KÊ KHAI</b><br/><br/><b>NGUYỄN THỊ<br/>BÍCH NGỌC</b>"),
 "v2", "asset_declaration", "p03")
add("w_rq1", title("PHIẾU GHI Ý KIẾN", "(Đề nghị giải trình)")
 + paras("""Người đề nghị (không bắt buộc ghi tên): .................................
Đề nghị đồng chí: Lê Văn Hòa
Chức vụ: Giám đốc Sở Kế hoạch và Đầu tư
Giải trình nội dung: việc thẩm định chủ trương đầu tư dự án nhà máy xử lý rác thải Hòa Nhơn.""")
 + sig2("", "<i>Ngày 30 tháng 11 năm 2028</i><br/><b>Người ghi ý kiến</b><br/>(Ký tên)"),
 "v2", "explanation_request", "p04")
add("w_ex1", title("GIẢI TRÌNH", "Ý kiến đề nghị giải trình của đại biểu Hội đồng nhân dân tỉnh")
 + paras("""Kính gửi: Thường trực Hội đồng nhân dân tỉnh
Thực hiện Công văn số 388/HĐND-VP ngày 03/12/2028, tôi xin giải trình: dự án nhà máy xử lý rác thải Hòa Nhơn được thẩm định theo đúng Luật Đầu tư; nhà đầu tư đã ký quỹ bảo đảm thực hiện dự án 15 tỷ đồng.""")
 + sig2("", "<b>Người giải trình</b><br/><br/><b>Lê Văn Hoà</b>"), "v2", "explanation", "p04", request_ref="số 388/HĐND-VP ngày 03/12/2028")
add("w_ex2", header("", place_date="Hòa Nam, ngày 07 tháng 12 năm 2028")
 + title("BÁO CÁO GIẢI TRÌNH CỦA ĐỒNG CHÍ NGUYỄN THỊ BÍCH NGỌC")
 + paras("""Về nội dung đề nghị làm rõ việc giám sát công tác thi hành án dân sự năm 2028: Ban Pháp chế đã tổ chức 2 đợt giám sát chuyên đề; kiến nghị Cục Thi hành án dân sự tỉnh xử lý dứt điểm 38 vụ việc tồn đọng. Tôi xin tiếp thu ý kiến.""")
 + sig2("", "<b>NGƯỜI GIẢI TRÌNH</b><br/>(đã ký)"), "v2", "explanation", "p03")
add("w_ex3", header("SỞ KẾ HOẠCH VÀ ĐẦU TƯ<br/>Số: 2011/SKHĐT-VP<br/><i>V/v trả lời ý kiến đề nghị giải trình</i>", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Hòa Nam, ngày 06 tháng 12 năm 2028")
 + paras("""Kính gửi: Ban Tổ chức Tỉnh ủy
Nhận được Công văn số 30-CV/BTCTU ngày 02/12/2028 của Ban Tổ chức Tỉnh ủy, tôi xin báo cáo làm rõ các nội dung như sau: (1) việc điều chỉnh vốn đầu tư công trung hạn đúng thẩm quyền; (2) việc chậm thẩm định 4 dự án do hồ sơ chưa đầy đủ.""")
 + sig2(noi_nhan(["- Như trên;", "- Lưu: VT."]), "<b>GIÁM ĐỐC</b><br/><br/><br/><b>Lê Văn Hòa</b>"), "v2", "explanation", "p04", request_ref="số 30-CV/BTCTU ngày 02/12/2028")
add("w_rq2", header("TỈNH ỦY HÒA NAM<br/><b>BAN TỔ CHỨC</b><br/>Số 31-CV/BTCTU", place_date="Hòa Nam, ngày 03 tháng 12 năm 2028")
 + title("CÔNG VĂN", "Về việc đề nghị giải trình")
 + paras("""Kính gửi:
- Đồng chí Phạm Thị Thủy, Bí thư Đảng ủy Công ty;
- Đồng chí Phạm Thị Thùy, Phó Bí thư Thường trực Huyện ủy.
Đề nghị các đồng chí giải trình về việc thực hiện Kết luận kiểm tra số 12-KL/UBKTTU, gửi về Ban Tổ chức trước ngày 09/12/2028.""")
 + sig2("", "<b>K/T TRƯỞNG BAN<br/>PHÓ TRƯỞNG BAN</b><br/><br/><b>Đỗ Minh Quang</b>"), "v2", "explanation_request", "", request_ref="số 31-CV/BTCTU ngày 03/12/2028")
add("w_sa3", state_header("<b>ỦY BAN NHÂN DÂN<br/>TỈNH HÒA NAM</b>", "Hòa Nam, ngày 08 tháng 11 năm 2028")
 + title("BÁO CÁO TỰ ĐÁNH GIÁ", "VIỆC THỰC HIỆN CHỨC TRÁCH, NHIỆM VỤ ĐƯỢC GIAO NĂM 2028")
 + paras("""Người được lấy phiếu tín nhiệm: Đỗ Minh Quang
I. Phẩm chất chính trị, đạo đức, lối sống
Bản thân luôn giữ vững phẩm chất chính trị, đạo đức, lối sống; thực hiện tốt trách nhiệm nêu gương; quản lý vợ, con chấp hành nghiêm pháp luật.
II. Ý thức tổ chức kỷ luật: chấp hành nghiêm Quy chế làm việc.
III. Kết quả thực hiện chức trách, nhiệm vụ được giao: chỉ đạo xây dựng 14 công trình giao thông, hoàn thành 3 dự án trọng điểm; giải quyết đúng hạn 98,6% hồ sơ hành chính.
IV. Hạn chế, khuyết điểm và phương hướng khắc phục: tiến độ một số dự án chậm; sẽ kiểm điểm trách nhiệm chủ đầu tư.""")
 + sig2("", "<b>NGƯỜI BÁO CÁO</b><br/><br/><br/><b>ĐỖ MINH QUANG</b>"), "v2", "self_assessment", "p05")
add("w_ad2", state_header("", "")
 + title("BẢN KÊ KHAI TÀI SẢN, THU NHẬP", "Kê khai lần đầu")
 + paras("""I. THÔNG TIN CHUNG
1. Người kê khai tài sản, thu nhập
- Họ và tên: Đỗ Minh Quang - Ngày tháng năm sinh: 22/10/1969
- Chức vụ: Phó Chủ tịch Ủy ban nhân dân tỉnh
2. Vợ hoặc chồng của người kê khai tài sản, thu nhập
- Họ và tên: Phạm Thị Thùy - Ngày tháng năm sinh: 03/3/1972
- Nơi làm việc: Huyện ủy Hòa Vang
II. THÔNG TIN MÔ TẢ VỀ TÀI SẢN
1. Quyền sử dụng thực tế đối với đất ở: 150 m2, giá trị 3.000.000.000 đồng. 2. Nhà ở: 1 căn, 280 m2 sàn. 3. Tiền: 500.000.000 đồng. 4. Tổng thu nhập giữa hai lần kê khai: 900.000.000 đồng.""")
 + sig2("<b>NGƯỜI NHẬN BẢN KÊ KHAI</b><br/><i>(Ký, ghi rõ họ tên)</i><br/><br/><b>Phạm Thị Thủy</b>",
        "<b>NGƯỜI KÊ KHAI TÀI SẢN</b><br/><i>(Ký, ghi rõ họ tên)</i><br/><br/><b>Đỗ Minh Quang</b>"),
 "v2", "asset_declaration", "p05")
add("w_ot1", header("TỈNH ỦY HÒA NAM<br/>*<br/>Số 15-BB/TU", place_date="Hòa Nam, ngày 26 tháng 11 năm 2028")
 + title("BIÊN BẢN", "Giao nhận hồ sơ của người được lấy phiếu tín nhiệm")
 + paras("""Hôm nay, Ban Tổ chức Tỉnh ủy tiếp nhận hồ sơ gồm: báo cáo tự đánh giá, bản kê khai tài sản, thu nhập của đồng chí Đỗ Minh Quang. Hồ sơ đầy đủ theo quy định.""")
 + sig2("<b>BÊN GIAO</b><br/><br/><b>Đỗ Minh Quang</b>", "<b>BÊN NHẬN</b><br/><br/><b>Trần Văn Mạnh</b>"), "v2", "other", "p05")

roster = [{"id":"p01","name":"Phạm Thị Thủy"},{"id":"p02","name":"Phạm Thị Thùy"},{"id":"p03","name":"Nguyễn Thị Bích Ngọc"},
          {"id":"p04","name":"Lê Văn Hoà"},{"id":"p05","name":"Đỗ Minh Quang"}]
write(roster, "expect_w.json")
