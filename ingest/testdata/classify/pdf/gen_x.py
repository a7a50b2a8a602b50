# Generates HTML documents laid out like Vietnamese administrative papers; LibreOffice makes the
# PDFs: python3 gen_x.py && soffice --headless --convert-to pdf:writer_pdf_Export *.html && rm *.html
# expect.json merges the expectations of the generators (rosters "val", "v2" and "v3").
# Held-out validation documents: HTML laid out like Vietnamese administrative papers, converted by
# LibreOffice to PDF. Expectations in expect.json.
from papers import *  # noqa: F401,F403 (CSS, header, title, paras, sig2, noi_nhan, add, write)
# --- self-assessments
def grid(rows):
    return "<table class='g' width='100%'>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows) + "</table>"
add("x_sa1", header("ĐẢNG BỘ TỈNH LÂM HÀ<br/><b>HUYỆN ỦY ĐÔNG SƠN</b><br/>*", place_date="Đông Sơn, ngày 15 tháng 11 năm 2028")
 + title("BÁO CÁO", "Tự đánh giá việc thực hiện chức trách, nhiệm vụ được giao năm 2028")
 + paras("Họ và tên: Nguyễn Hoàng Bảo Long. Chức vụ: Bí thư Huyện ủy Đông Sơn.")
 + grid([["TT","Nội dung","Tự đánh giá"],["1","Phẩm chất chính trị","Kiên định, vững vàng"],["2","Đạo đức, lối sống","Trong sạch, giản dị"],
         ["3","Ý thức tổ chức kỷ luật","Chấp hành nghiêm"],["4","Kết quả thực hiện chức trách, nhiệm vụ","Hoàn thành tốt"],
         ["5","Trách nhiệm nêu gương của vợ (chồng), con","Gia đình chấp hành tốt pháp luật"]])
 + sig2("", "<b>NGƯỜI BÁO CÁO</b><br/><br/><b>NGUYỄN HOÀNG<br/>BẢO LONG</b>"), "v3", "self_assessment", "q01")
add("x_ad1", "<p class='b'>Phụ lục II</p>" + title("MẪU BẢN KÊ KHAI TÀI SẢN, THU NHẬP", "(Ban hành kèm theo Nghị định số 130/2020/NĐ-CP)")
 + state_header("", "")
 + title("BẢN KÊ KHAI TÀI SẢN, THU NHẬP BỔ SUNG")
 + paras("""Họ và tên người kê khai tài sản, thu nhập: ........ Ksor H'Bia ........
Năm sinh: 1981. Chức vụ/chức danh công tác: Phó Chủ tịch Hội đồng nhân dân huyện.
Họ và tên vợ hoặc chồng: Rơ Chăm Ba. Nghề nghiệp: làm nông.
Tài sản tăng thêm: 1 ha đất trồng cà phê, giá trị 700.000.000 đồng; nhà ở cấp 4 diện tích 90 m2.
Tổng thu nhập giữa hai lần kê khai: 320.000.000 đồng.""")
 + sig2("<b>NGƯỜI NHẬN BẢN KÊ KHAI</b><br/><br/>Đinh Thị Hà", "<b>NGƯỜI KÊ KHAI</b><br/><br/><b>Ksor H'Bia</b>"), "v3", "asset_declaration", "q02")
add("x_rq1", title("PHIẾU GÓP Ý VÀ ĐỀ NGHỊ GIẢI TRÌNH", "(Dành cho Ủy viên Ban Chấp hành Đảng bộ huyện)")
 + paras("""Tôi là Tạ Quang Bửu, Ủy viên Ban Chấp hành Đảng bộ huyện.
Đề nghị đồng chí Phó Bí thư Thường trực Huyện ủy Lương Thế Vinh giải trình về việc chậm kiện toàn tổ chức bộ máy các ban xây dựng Đảng sau sắp xếp.""")
 + sig2("", "<i>Đông Sơn, ngày 02 tháng 12 năm 2028</i><br/><b>NGƯỜI GÓP Ý</b><br/><br/><b>Tạ Quang Bửu</b>"), "v3", "explanation_request", "q03")
add("x_ex1", header("", place_date="Đông Sơn, ngày 06 tháng 12 năm 2028")
 + title("BÁO CÁO", "Làm rõ các nội dung được đề nghị giải trình")
 + paras("""Kính gửi: Ban Thường vụ Huyện ủy Đông Sơn
Thực hiện Thông báo số 12-TB/BTCHU ngày 03/12/2028, tôi xin giải trình như sau:
Việc kiện toàn tổ chức bộ máy chậm là do chờ hướng dẫn của Ban Tổ chức Trung ương về chức năng, nhiệm vụ; đến ngày 01/12/2028 đã hoàn thành.""")
 + sig2("", "<b>NGƯỜI BÁO CÁO</b><br/><br/><b>Lương Thế Vinh</b>"), "v3", "explanation", "q03", request_ref="số 12-TB/BTCHU ngày 03/12/2028")
add("x_sa2", state_header("<b>HỘI ĐỒNG NHÂN DÂN<br/>HUYỆN ĐÔNG SƠN</b>", "Đông Sơn, ngày 10 tháng 11 năm 2028")
 + title("BÁO CÁO TỰ ĐÁNH GIÁ", "của Phó Chủ tịch Hội đồng nhân dân huyện được lấy phiếu tín nhiệm")
 + paras("""Tôi, Ksor H'Bia, Phó Chủ tịch Hội đồng nhân dân huyện khóa XIII, xin tự đánh giá:
- Về phẩm chất chính trị, đạo đức, lối sống: luôn giữ vững bản lĩnh; sống giản dị, gần gũi đồng bào.
- Về ý thức tổ chức kỷ luật: chấp hành nghiêm Nội quy kỳ họp và Quy chế hoạt động của Hội đồng nhân dân.
- Về kết quả thực hiện nhiệm vụ được giao: chủ trì 9 cuộc giám sát; đôn đốc giải quyết 64 kiến nghị cử tri.
- Chồng và các con luôn chấp hành tốt chủ trương, pháp luật.""")
 + sig2("", "<b>NGƯỜI TỰ ĐÁNH GIÁ</b><br/><br/><b>Ksor H’Bia</b>"), "v3", "self_assessment", "q02")
add("x_ot1", header("HUYỆN ỦY ĐÔNG SƠN<br/>*", place_date="Đông Sơn, ngày 01 tháng 11 năm 2028")
 + title("DANH SÁCH", "Người được lấy phiếu tín nhiệm năm 2028")
 + grid([["TT","Họ và tên","Chức vụ"],["1","Nguyễn Hoàng Bảo Long","Bí thư Huyện ủy"],["2","Lương Thế Vinh","Phó Bí thư Thường trực"],["3","Ksor H'Bia","Phó Chủ tịch HĐND huyện"]]),
 "v3", "other", "")
add("x_ot2", header("HUYỆN ỦY ĐÔNG SƠN<br/><b>BAN TỔ CHỨC</b><br/>Số 40-TTr/BTCHU", place_date="Đông Sơn, ngày 20 tháng 11 năm 2028")
 + title("TỜ TRÌNH", "Về việc miễn lấy phiếu tín nhiệm đối với đồng chí Tạ Quang Bửu")
 + paras("""Đồng chí Tạ Quang Bửu được bổ nhiệm giữ chức Trưởng Ban Tổ chức Huyện ủy từ tháng 8/2028, thuộc trường hợp mới được bổ nhiệm trong năm. Ban Tổ chức kính trình Ban Thường vụ xem xét, không đưa vào danh sách lấy phiếu tín nhiệm.""")
 + sig2("", "<b>K/T TRƯỞNG BAN<br/>PHÓ TRƯỞNG BAN</b><br/><br/><b>Đinh Thị Hà</b>"), "v3", "other", "q04")
add("x_rq2", state_header("<b>ỦY BAN MTTQ VIỆT NAM<br/>HUYỆN ĐÔNG SƠN</b><br/>Số: 88/MTTQ-BTT", "Đông Sơn, ngày 29 tháng 11 năm 2028")
 + title("VĂN BẢN ĐỀ NGHỊ GIẢI TRÌNH", "Ý kiến cử tri đối với người được lấy phiếu tín nhiệm")
 + paras("""Kính gửi: Bà Ksor H'Bia, Phó Chủ tịch Hội đồng nhân dân huyện.
Cử tri xã Ia Kriêng đề nghị bà làm rõ việc giám sát dự án nước sạch nông thôn chậm đưa vào sử dụng.""")
 + sig2(noi_nhan(["- Như trên;", "- Lưu VT."]), "<b>TM. BAN THƯỜNG TRỰC<br/>CHỦ TỊCH</b><br/><br/><b>Nguyễn Hoàng Bảo Long</b>"), "v3", "explanation_request", "q02", request_ref="số 88/MTTQ-BTT ngày 29/11/2028")
add("x_ex2", title("BẢN GIẢI TRÌNH Ý KIẾN CỬ TRI")
 + paras("""Tôi là Ksor H'Bia. Về nội dung cử tri xã Ia Kriêng đề nghị làm rõ theo Văn bản số 88/MTTQ-BTT ngày 29/11/2028 của Ban Thường trực Ủy ban Mặt trận Tổ quốc huyện, tôi xin báo cáo: Thường trực Hội đồng nhân dân huyện đã giám sát 2 lần, kiến nghị Ủy ban nhân dân huyện xử lý nhà thầu chậm tiến độ.""")
 + sig2("", "<b>Người giải trình</b><br/><br/><b>KSOR H'BIA</b>"), "v3", "explanation", "q02", request_ref="số 88/MTTQ-BTT ngày 29/11/2028")
add("x_ad2", state_header("", "")
 + title("BẢN KÊ KHAI TÀI SẢN, THU NHẬP HẰNG NĂM")
 + grid([["Thông tin","Nội dung"],["Họ và tên người kê khai","Lương Thế Vinh"],["Năm sinh","1970"],["Chức vụ","Phó Bí thư Thường trực Huyện ủy"],
         ["Họ và tên vợ/chồng","Nguyễn Thị Mến"],["Quyền sử dụng đất","Đất ở 200 m2 - 1.200.000.000 đồng"],["Nhà ở","Nhà 2 tầng - 800.000.000 đồng"],
         ["Tổng thu nhập giữa hai lần kê khai","410.000.000 đồng"]])
 + sig2("<b>NGƯỜI NHẬN BẢN KÊ KHAI</b><br/>(Ký, ghi rõ họ tên)<br/><br/><b>Tạ Quang Bửu</b>", "<b>NGƯỜI KÊ KHAI</b><br/>(Ký, ghi rõ họ tên)<br/><br/><b>Lương Thế Vinh</b>"),
 "v3", "asset_declaration", "q03")

roster = [{"id":"q01","name":"Nguyễn Hoàng Bảo Long"},{"id":"q02","name":"Ksor H'Bia"},{"id":"q03","name":"Lương Thế Vinh"},{"id":"q04","name":"Tạ Quang Bửu"}]
write(roster, "expect_x.json")
