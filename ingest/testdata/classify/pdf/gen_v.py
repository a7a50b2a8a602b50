# Generates HTML documents laid out like Vietnamese administrative papers; LibreOffice makes the
# PDFs: python3 gen_v.py && soffice --headless --convert-to pdf:writer_pdf_Export *.html && rm *.html
# expect.json merges the expectations of both generators (rosters "val" and "v2").
# Held-out validation documents: HTML laid out like Vietnamese administrative papers, converted by
# LibreOffice to PDF. Expectations in expect.json.
from papers import *  # noqa: F401,F403 (CSS, header, title, paras, sig2, noi_nhan, add, write)
# --- self-assessments
add("v_sa1", header("ĐẢNG BỘ TỈNH HÒA NAM<br/><b>TỈNH ỦY</b><br/>*", place_date="Hòa Nam, ngày 14 tháng 11 năm 2028")
 + title("BÁO CÁO TỰ ĐÁNH GIÁ", "của người được lấy phiếu tín nhiệm năm 2028")
 + paras("""Họ và tên: Lưu Quang Hiếu
Chức vụ: Ủy viên Ban Thường vụ Tỉnh ủy, Chủ tịch Ủy ban nhân dân tỉnh
I. Phẩm chất chính trị, đạo đức, lối sống, ý thức tổ chức kỷ luật
Bản thân luôn kiên định mục tiêu, lý tưởng của Đảng; giữ gìn đạo đức, lối sống giản dị; chấp hành nghiêm nguyên tắc tập trung dân chủ và quy chế làm việc.
II. Kết quả thực hiện chức trách, nhiệm vụ được giao
Chỉ đạo điều hành kinh tế - xã hội đạt 17/19 chỉ tiêu; tăng trưởng GRDP 7,9%; cải cách hành chính xếp thứ 12 cả nước. Phối hợp với đồng chí Lưu Quang Hiển, Phó Chủ tịch Thường trực, xử lý các dự án tồn đọng.
III. Trách nhiệm nêu gương của vợ, con
Vợ và các con luôn gương mẫu chấp hành pháp luật, không kinh doanh trong lĩnh vực tôi phụ trách.
IV. Hạn chế, khuyết điểm và giải pháp khắc phục
Giải ngân vốn đầu tư công đầu năm còn chậm; sẽ tăng cường kiểm tra, đôn đốc.""")
 + sig2(noi_nhan(["- Ban Tổ chức Tỉnh ủy,", "- Lưu."]), "<b>NGƯỜI BÁO CÁO</b><br/><i>(Ký, ghi rõ họ tên)</i><br/><br/><br/><b>Lưu Quang Hiếu</b>"),
 "val", "self_assessment", "v01")
add("v_sa2", state_header("<b>HỘI ĐỒNG NHÂN DÂN<br/>TỈNH HÒA NAM</b>", "Hòa Nam, ngày 09 tháng 11 năm 2028")
 + title("BÁO CÁO", "Kết quả thực hiện chức trách, nhiệm vụ của người được lấy phiếu tín nhiệm")
 + paras("""Tôi tên là Lưu Quang Hiển, Phó Chủ tịch Ủy ban nhân dân tỉnh, được Hội đồng nhân dân tỉnh bầu tại kỳ họp thứ nhất.
1. Về tư tưởng chính trị: kiên định, vững vàng; chấp hành nghiêm đường lối của Đảng.
2. Về đạo đức, lối sống: trung thực, giản dị, không tham nhũng, tiêu cực.
3. Về ý thức tổ chức kỷ luật: tuân thủ Quy chế làm việc của Ủy ban nhân dân tỉnh.
4. Kết quả thực hiện nhiệm vụ được giao: chỉ đạo lĩnh vực nông nghiệp, nông thôn mới; 86% số xã đạt chuẩn nông thôn mới.
5. Vợ, con của tôi chấp hành nghiêm pháp luật.""")
 + sig2("", "<b>NGƯỜI BÁO CÁO</b><br/><br/><br/><b>Lưu Quang Hiển</b>"),
 "val", "self_assessment", "v02")
add("v_sa3", header("ĐẢNG BỘ KHỐI CƠ QUAN<br/><b>CHI BỘ VĂN PHÒNG</b>", place_date="Hòa Nam, ngày 20 tháng 11 năm 2028")
 + title("BẢN TỰ KIỂM ĐIỂM", "Dùng cho cán bộ được lấy phiếu tín nhiệm")
 + paras("""- Họ và tên: Chu Thị Ngọc Diệp
- Chức vụ: Chánh Văn phòng Tỉnh ủy
1. Ưu điểm: phẩm chất chính trị vững vàng; đạo đức, lối sống trong sáng; chấp hành kỷ luật của Đảng; hoàn thành tốt chức trách, nhiệm vụ tham mưu tổng hợp.
2. Khuyết điểm: có lúc chưa sâu sát.
3. Chồng và con chấp hành tốt pháp luật.""")
 + sig2("", "<b>Người tự kiểm điểm</b><br/><br/><br/><b>Chu Thị Ngọc Diệp</b>"),
 "val", "self_assessment", "v03")
# --- asset declarations
def asset(nm, pos, spouse, receiver, extra=""):
    return (state_header("", "")
     + title("BẢN KÊ KHAI TÀI SẢN, THU NHẬP", "(Kê khai hằng năm)")
     + paras(f"""I. THÔNG TIN CHUNG
1. Người kê khai tài sản, thu nhập
- Họ và tên: {nm} - Ngày tháng năm sinh: 05/6/1971
- Chức vụ/chức danh công tác: {pos}
- Nơi thường trú: phường Hòa Bình, thành phố Hòa Nam
2. Vợ hoặc chồng của người kê khai tài sản, thu nhập
- Họ và tên: {spouse} - Ngày tháng năm sinh: 11/9/1973
- Nghề nghiệp: Giáo viên
3. Con chưa thành niên: Không
II. THÔNG TIN MÔ TẢ VỀ TÀI SẢN
1. Quyền sử dụng thực tế đối với đất""")
     + "<table class='g' width='100%'><tr><td>STT</td><td>Loại đất</td><td>Địa chỉ</td><td>Diện tích</td><td>Giá trị (đồng)</td></tr>"
       "<tr><td>1</td><td>Đất ở</td><td>Phường Hòa Bình</td><td>120 m2</td><td>2.400.000.000</td></tr>"
       "<tr><td>2</td><td>Đất trồng cây lâu năm</td><td>Xã Hòa Tiến</td><td>3.000 m2</td><td>450.000.000</td></tr></table>"
     + paras("""2. Nhà ở, công trình xây dựng: nhà ở 3 tầng, diện tích sàn 260 m2, giá trị 1.300.000.000 đồng.
3. Tiền (tiền Việt Nam, ngoại tệ): 620.000.000 đồng.
4. Tài sản ở nước ngoài: không. Tài khoản ở nước ngoài: không.
5. Tổng thu nhập giữa hai lần kê khai: 870.000.000 đồng.
III. BIẾN ĐỘNG TÀI SẢN, THU NHẬP; GIẢI TRÌNH NGUỒN GỐC CỦA TÀI SẢN, THU NHẬP TĂNG THÊM
Không có biến động.""" + extra)
     + sig2(f"<i>Ngày 16 tháng 11 năm 2028</i><br/><b>NGƯỜI NHẬN BẢN KÊ KHAI</b><br/><i>(Ký, ghi rõ họ tên, chức vụ/chức danh)</i><br/><br/><b>{receiver}</b>",
            f"<i>Ngày 16 tháng 11 năm 2028</i><br/><b>NGƯỜI KÊ KHAI TÀI SẢN</b><br/><i>(Ký, ghi rõ họ tên)</i><br/><br/><b>{nm}</b>"))
add("v_ad1", asset("Chu Thị Ngọc Diệp", "Chánh Văn phòng Tỉnh ủy", "Trần Văn Toàn", "Lưu Quang Hiếu"), "val", "asset_declaration", "v03")
add("v_ad2", asset("Lưu Quang Hiển", "Phó Chủ tịch Ủy ban nhân dân tỉnh", "Ngô Thị Hương", "Chu Thị Ngọc Diệp"), "val", "asset_declaration", "v02")
add("v_ad3", asset("Thạch Sô Phênh", "Trưởng Ban Dân tộc Hội đồng nhân dân tỉnh", "Sơn Thị Mỹ", "Quách Văn Lực"), "val", "asset_declaration", "v06")
# --- requests
add("v_rq1", header("TỈNH ỦY HÒA NAM<br/><b>BAN TỔ CHỨC</b><br/>*<br/>Số 21-CV/BTCTU<br/><i>V/v chuyển ý kiến đề nghị giải trình</i>", place_date="Hòa Nam, ngày 01 tháng 12 năm 2028")
 + paras("""Kính gửi: Đồng chí Lưu Quang Hiển, Phó Chủ tịch Ủy ban nhân dân tỉnh.
Ban Tổ chức Tỉnh ủy nhận được ý kiến đề nghị giải trình đối với đồng chí về việc chậm bàn giao mặt bằng dự án hồ chứa nước Sông Cái. Đề nghị đồng chí có văn bản giải trình gửi về Ban Tổ chức Tỉnh ủy trước ngày 07/12/2028.""")
 + sig2(noi_nhan(["- Như trên,", "- Lưu VT."]), "<b>T/M BAN TỔ CHỨC<br/>TRƯỞNG BAN</b><br/><br/><br/><b>Quách Văn Lực</b>"),
 "val", "explanation_request", "v02", request_ref="số 21-CV/BTCTU ngày 01/12/2028")
add("v_rq2", title("PHIẾU ĐỀ NGHỊ GIẢI TRÌNH")
 + paras("""Họ và tên người đề nghị: Quách Văn Lực
Người được đề nghị giải trình: Chu Thị Ngọc Diệp, Chánh Văn phòng Tỉnh ủy
Nội dung đề nghị giải trình: việc mua sắm trang thiết bị cho Văn phòng Tỉnh ủy năm 2027 vượt dự toán.""")
 + sig2("", "<i>Hòa Nam, ngày 30 tháng 11 năm 2028</i><br/><b>NGƯỜI ĐỀ NGHỊ</b><br/><br/><b>Quách Văn Lực</b>"),
 "val", "explanation_request", "v03")
add("v_rq3", state_header("<b>THƯỜNG TRỰC<br/>HỘI ĐỒNG NHÂN DÂN TỈNH</b><br/>Số: 377/HĐND-VP<br/><i>V/v đề nghị giải trình</i>", "Hòa Nam, ngày 02 tháng 12 năm 2028")
 + paras("""Kính gửi: Ông Thạch Sô Phênh, Trưởng Ban Dân tộc Hội đồng nhân dân tỉnh.
Thường trực Hội đồng nhân dân tỉnh nhận được ý kiến của đại biểu đề nghị ông giải trình về việc giám sát chính sách hỗ trợ đất sản xuất cho đồng bào dân tộc thiểu số. Đề nghị ông gửi văn bản giải trình trước ngày 06/12/2028.""")
 + sig2(noi_nhan(["- Như trên;", "- Lưu: VT."]), "<b>TM. THƯỜNG TRỰC HĐND<br/>CHỦ TỊCH</b><br/><br/><br/><b>Lưu Quang Hiếu</b>"),
 "val", "explanation_request", "v06", request_ref="số 377/HĐND-VP ngày 02/12/2028")
# --- explanations
add("v_ex1", header("", place_date="Hòa Nam, ngày 05 tháng 12 năm 2028")
 + title("BÁO CÁO GIẢI TRÌNH", "Về ý kiến đề nghị giải trình tại Công văn số 21-CV/BTCTU ngày 01/12/2028 của Ban Tổ chức Tỉnh ủy")
 + paras("""Kính gửi: Ban Thường vụ Tỉnh ủy Hòa Nam.
Tôi là Lưu Quang Hiển, Phó Chủ tịch Ủy ban nhân dân tỉnh. Tôi xin giải trình như sau:
Việc chậm bàn giao mặt bằng dự án hồ chứa nước Sông Cái do 46 hộ dân chưa đồng thuận phương án bồi thường; tôi đã trực tiếp đối thoại 3 lần, đến nay đã bàn giao 95% diện tích. Tôi nghiêm túc tiếp thu.""")
 + sig2("", "<b>NGƯỜI GIẢI TRÌNH</b><br/><br/><br/><b>Lưu Quang Hiển</b>"),
 "val", "explanation", "v02", request_ref="số 21-CV/BTCTU ngày 01/12/2028")
add("v_ex2", title("BẢN GIẢI TRÌNH")
 + paras("""Kính gửi: Ban Tổ chức Hội nghị.
Tôi tên là Chu Thị Ngọc Diệp. Theo đề nghị giải trình về việc mua sắm trang thiết bị năm 2027, tôi xin giải trình: việc mua sắm thực hiện theo Quyết định số 112-QĐ/TU, đúng quy trình đấu thầu; phần vượt dự toán 84 triệu đồng đã được Thường trực Tỉnh ủy chấp thuận bổ sung.""")
 + sig2("", "<i>Hòa Nam, ngày 04 tháng 12 năm 2028</i><br/><b>Người giải trình</b><br/><br/><b>Chu Thị Ngọc Diệp</b>"),
 "val", "explanation", "v03")
add("v_ex3", state_header("<b>BAN DÂN TỘC<br/>HĐND TỈNH HÒA NAM</b><br/>Số: 45/BC-BDT<br/><i>V/v giải trình ý kiến đại biểu</i>", "Hòa Nam, ngày 05 tháng 12 năm 2028")
 + paras("""Kính gửi: Thường trực Hội đồng nhân dân tỉnh.
Thực hiện Công văn số 377/HĐND-VP ngày 02/12/2028 của Thường trực Hội đồng nhân dân tỉnh, Ban Dân tộc xin báo cáo, giải trình như sau: năm 2028 Ban đã tổ chức 4 cuộc giám sát chính sách hỗ trợ đất sản xuất tại 3 huyện; kiến nghị bổ sung 12 tỷ đồng kinh phí thực hiện.""")
 + sig2(noi_nhan(["- Như trên;", "- Lưu: VT."]), "<b>TRƯỞNG BAN</b><br/><br/><br/><b>Thạch Sô Phênh</b>"),
 "val", "explanation", "v06", request_ref="số 377/HĐND-VP ngày 02/12/2028")
# --- diacritic collision and tricky persons
add("v_sa4", header("ĐẢNG BỘ TỈNH HÒA NAM<br/><b>TỈNH ỦY</b>", place_date="Hòa Nam, ngày 18 tháng 11 năm 2028")
 + title("BÁO CÁO TỰ ĐÁNH GIÁ")
 + paras("""Họ và tên: Đồng Văn Tâm
Chức vụ: Giám đốc Công an tỉnh
1. Phẩm chất chính trị: tuyệt đối trung thành. 2. Đạo đức, lối sống: liêm chính. 3. Ý thức tổ chức kỷ luật: nghiêm minh. 4. Kết quả thực hiện nhiệm vụ được giao: giữ vững an ninh trật tự, kéo giảm 12% tội phạm. Phối hợp với đồng chí Đồng Văn Tám, Chỉ huy trưởng Bộ Chỉ huy Quân sự tỉnh.
5. Vợ và con gương mẫu chấp hành pháp luật.""")
 + sig2("", "<b>NGƯỜI BÁO CÁO</b><br/><br/><b>Đồng Văn Tâm</b>"),
 "val", "self_assessment", "v04")
add("v_ex4", title("BÁO CÁO GIẢI TRÌNH")
 + paras("""Tôi là Đồng Văn Tám, Chỉ huy trưởng Bộ Chỉ huy Quân sự tỉnh. Về ý kiến đề nghị giải trình liên quan đến việc quản lý đất quốc phòng tại xã Hòa Phong, tôi xin giải trình: diện tích đất quốc phòng đã được cắm mốc, bàn giao cho địa phương quản lý 2,4 ha theo Quyết định của Bộ Quốc phòng.""")
 + sig2("", "<b>NGƯỜI GIẢI TRÌNH</b><br/><br/><b>Đồng Văn Tám</b>"),
 "val", "explanation", "v05")
add("v_rq4", title("Ý KIẾN ĐỀ NGHỊ GIẢI TRÌNH")
 + paras("""Đề nghị đồng chí Đồng Văn Tâm, Giám đốc Công an tỉnh, giải trình về tình trạng tín dụng đen trên địa bàn thành phố Hòa Nam và kết quả xử lý.""")
 + sig2("", "<b>NGƯỜI ĐỀ NGHỊ</b><br/><br/><b>Đồng Văn Tám</b>"),
 "val", "explanation_request", "v04")
# --- others
add("v_ot1", header("TỈNH ỦY HÒA NAM<br/>*<br/>Số 50-TB/TU", place_date="Hòa Nam, ngày 16 tháng 12 năm 2028")
 + title("THÔNG BÁO", "Kết quả lấy phiếu tín nhiệm đối với Ủy viên Ban Thường vụ Tỉnh ủy")
 + paras("""Ngày 15/12/2028, Ban Chấp hành Đảng bộ tỉnh đã tiến hành lấy phiếu tín nhiệm đối với 12 đồng chí Ủy viên Ban Thường vụ Tỉnh ủy. Kết quả: 12/12 đồng chí có số phiếu tín nhiệm cao trên 50%.""")
 + sig2("", "<b>T/M BAN THƯỜNG VỤ<br/>BÍ THƯ</b><br/><br/><b>Quách Văn Lực</b>"),
 "val", "other", "")
add("v_ot2", title("SƠ YẾU LÝ LỊCH")
 + paras("""Họ và tên: Thạch Sô Phênh. Sinh ngày 02/02/1975. Dân tộc: Khmer. Tôn giáo: Phật giáo.
Quê quán: xã Hòa Khánh, huyện Hòa Vang. Trình độ lý luận chính trị: Cao cấp.
Quá trình công tác: 1998-2010 giáo viên; 2010-2021 Phó Trưởng Ban Dân tộc tỉnh; 2021 đến nay Trưởng Ban Dân tộc HĐND tỉnh.""")
 + sig2("", "<b>Người khai</b><br/><br/><b>Thạch Sô Phênh</b>"),
 "val", "other", "v06")

roster = [{"id":"v01","name":"Lưu Quang Hiếu"},{"id":"v02","name":"Lưu Quang Hiển"},{"id":"v03","name":"Chu Thị Ngọc Diệp"},
          {"id":"v04","name":"Đồng Văn Tâm"},{"id":"v05","name":"Đồng Văn Tám"},{"id":"v06","name":"Thạch Sô Phênh"},
          {"id":"v07","name":"Quách Văn Lực"}]
write(roster, "expect_v.json")
