"""Write the golden edXML files of tests/data/edxml.

    .venv/bin/python -m tests.connectors.make_golden

``doc_*`` and ``status_*`` are what edoc emits for the models in samples.py. ``wild_*`` copy the
shapes seen in real SDK files and hand-written samples (vn-standards §1.2, §1.3): other element
orders, every element prefixed or none, missing optional elements, a Signature in either
namespace, plain base64 attachments, ``application/zip`` content types.
"""

from __future__ import annotations

import base64
from pathlib import Path

from connectors.edxml import QCVN_NAMESPACE, build_message
from connectors.edxml.attachments import encode_payload

from .samples import (
    DOCUMENT_ID,
    PROVINCE,
    WARD,
    emitted_samples,
    new_document,
    tiny_pdf,
    update_document,
)

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "data" / "edxml"
NS = QCVN_NAMESPACE

WILD_PDF = tiny_pdf("Cong van thu nghiem")
WILD_DOC = bytes(range(200)) * 3
_PDF_ZIPPED = encode_payload(WILD_PDF, name="x.pdf")
_DOC_ZIPPED = encode_payload(WILD_DOC, name="x.doc")
_PDF_PLAIN = base64.encodebytes(WILD_PDF).decode("ascii")  # with line breaks, as Java's MIME coder


def _all_prefixed(doc: bytes) -> bytes:
    """Every element with the edXML prefix, declared on the root (the hand-written form, made
    well-formed)."""
    text = doc.decode("utf-8")
    text = text.replace(f'<edXML xmlns="{NS}">', f'<edXML:edXML xmlns:edXML="{NS}">', 1)
    text = text.replace(f'<edXML:edXMLEnvelope xmlns:edXML="{NS}">', "<edXML:edXMLEnvelope>")
    text = text.replace(
        f'<edXML:ContentTransferEncoded xmlns:edXML="{NS}">', "<edXML:ContentTransferEncoded>"
    )
    for name in (
        "AttachmentEncoded",
        "Attachment",
        "ContentId",
        "AttachmentName",
        "Description",
        "ContentType",
    ):
        text = text.replace(f"<{name}>", f"<edXML:{name}>").replace(
            f"</{name}>", f"</edXML:{name}>"
        )
    text = text.replace("</edXML>", "</edXML:edXML>")
    return text.encode("utf-8")


def _unprefixed(doc: bytes) -> bytes:
    """No prefix at all: everything in the default namespace."""
    text = doc.decode("utf-8")
    text = (
        text.replace(f' xmlns:edXML="{NS}"', "").replace("<edXML:", "<").replace("</edXML:", "</")
    )
    return text.encode("utf-8")


SDK_2025 = f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{NS}">
  <edXML:edXMLEnvelope xmlns:edXML="{NS}">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From>
          <edXML:OrganId>{PROVINCE.organ_id}</edXML:OrganId>
          <edXML:OrganAdd>Số 1 đường Trần Phú, tỉnh Phú Thọ</edXML:OrganAdd>
          <edXML:Email>vanthu@phutho.gov.vn</edXML:Email>
          <edXML:Telephone>0210 3846 000</edXML:Telephone>
          <edXML:Fax>0210 3846 001</edXML:Fax>
          <edXML:Website>https://phutho.gov.vn</edXML:Website>
        </edXML:From>
        <edXML:To>
          <edXML:OrganId>{WARD.organ_id}</edXML:OrganId>
          <edXML:OrganAdd>Phường Vĩnh Phúc, tỉnh Phú Thọ</edXML:OrganAdd>
          <edXML:Email>vanthu.vinhphuc@phutho.gov.vn</edXML:Email>
          <edXML:Telephone>0211 3862 000</edXML:Telephone>
          <edXML:Fax></edXML:Fax>
          <edXML:Website></edXML:Website>
        </edXML:To>
        <edXML:DocumentId>5e515fca-3627-4f2e-b517-7169acdc8bda</edXML:DocumentId>
        <edXML:Code>
          <edXML:CodeNumber>321</edXML:CodeNumber>
          <edXML:CodeNotation>UBND-VP</edXML:CodeNotation>
        </edXML:Code>
        <edXML:PromulgationInfo>
          <edXML:Place>Phú Thọ</edXML:Place>
          <edXML:PromulgationDate>2025/10/23</edXML:PromulgationDate>
        </edXML:PromulgationInfo>
        <edXML:DocumentType>
          <edXML:Type>1</edXML:Type>
          <edXML:TypeDetail>0</edXML:TypeDetail>
          <edXML:TypeName>Công văn</edXML:TypeName>
        </edXML:DocumentType>
        <edXML:Subject>V/v thử nghiệm kết nối trục liên thông</edXML:Subject>
        <edXML:Content>Gửi qua cổng kết nối</edXML:Content>
        <edXML:SignerInfo>
          <edXML:FullName>Nguyễn Văn An</edXML:FullName>
        </edXML:SignerInfo>
        <edXML:OtherInfo>
          <edXML:Priority>0</edXML:Priority>
          <edXML:SphereOfPromulgation>Lưu hành nội bộ</edXML:SphereOfPromulgation>
          <edXML:TyperNotation>TVC</edXML:TyperNotation>
          <edXML:PromulgationAmount>1</edXML:PromulgationAmount>
          <edXML:PageAmount>1</edXML:PageAmount>
          <edXML:Direction>false</edXML:Direction>
          <edXML:Appendixes>
            <edXML:Appendix>Phụ lục</edXML:Appendix>
          </edXML:Appendixes>
        </edXML:OtherInfo>
        <edXML:SteeringType>1</edXML:SteeringType>
        <edXML:ToPlaces>
          <edXML:Place>Các phường, xã</edXML:Place>
        </edXML:ToPlaces>
      </edXML:MessageHeader>
      <edXML:TraceHeaderList>
        <edXML:TraceHeader>
          <edXML:OrganId>null</edXML:OrganId>
          <edXML:Timestamp>2025/10/23 16:28:42</edXML:Timestamp>
        </edXML:TraceHeader>
        <edXML:TraceHeader>
          <edXML:Timestamp>2025/10/23 16:28:43</edXML:Timestamp>
        </edXML:TraceHeader>
      </edXML:TraceHeaderList>
    </edXML:edXMLHeader>
    <edXML:edXMLBody>
      <edXML:edXMLManifest version="1.0">
        <edXML:Reference>
          <edXML:ContentId>cid:56fb5bcb-8229-4691-8b4f-51305171b954</edXML:ContentId>
          <edXML:ContentType>application/pdf</edXML:ContentType>
          <edXML:AttachmentName>1761211722949_TestTrucLienThong.pdf</edXML:AttachmentName>
        </edXML:Reference>
      </edXML:edXMLManifest>
    </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded>
    <Attachment>
      <ContentId>cid:56fb5bcb-8229-4691-8b4f-51305171b954</ContentId>
      <AttachmentName>1761211722949_TestTrucLienThong.pdf</AttachmentName>
      <ContentType>application/pdf</ContentType>
      <edXML:ContentTransferEncoded xmlns:edXML="{NS}">{_PDF_ZIPPED}</edXML:ContentTransferEncoded>
    </Attachment>
  </AttachmentEncoded>
</edXML>
"""

HANDWRITTEN = f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{NS}" xmlns:edXML="{NS}" xmlns:xlink="http://www.w3.org/1999/xlink">
  <edXML:edXMLEnvelope>
  <!-- XML 102 -->
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
         <edXML:From>
\t\t\t\t\t<edXML:OrganId>{PROVINCE.organ_id}</edXML:OrganId>
\t\t\t\t\t<edXML:OrganizationInCharge>UBND tỉnh Phú Thọ</edXML:OrganizationInCharge>
\t\t\t\t\t<edXML:OrganName>UBND tỉnh Phú Thọ</edXML:OrganName>
\t\t\t\t\t<edXML:OrganAdd>Số 1 đường Trần Phú, tỉnh Phú Thọ</edXML:OrganAdd>
\t\t\t\t\t<edXML:Email>vanthu@phutho.gov.vn</edXML:Email>
\t\t\t\t\t<edXML:Telephone>0210 3846 000</edXML:Telephone>
\t\t\t\t\t<edXML:Fax>0210 3846 001</edXML:Fax>
\t\t\t\t\t<edXML:Website>phutho.gov.vn</edXML:Website>
\t\t\t\t</edXML:From>
        <edXML:To>
          <edXML:OrganId>{WARD.organ_id}</edXML:OrganId>
\t\t\t<edXML:OrganName>UBND phường Vĩnh Phúc</edXML:OrganName>
\t\t\t <edXML:OrganAdd>Phường Vĩnh Phúc, tỉnh Phú Thọ</edXML:OrganAdd>
        </edXML:To>
        <edXML:Code>
          <edXML:CodeNumber>1223</edXML:CodeNumber>
          <edXML:CodeNotation>UBND-VX</edXML:CodeNotation>
        </edXML:Code>
        <edXML:PromulgationInfo>
\t\t\t<edXML:Place>Phú Thọ</edXML:Place>
          <edXML:PromulgationDate>2025/01/17</edXML:PromulgationDate>
        </edXML:PromulgationInfo>
\t\t<edXML:DocumentType>
\t\t<edXML:Type>1</edXML:Type>
\t\t<edXML:TypeName>Công văn</edXML:TypeName>
\t\t</edXML:DocumentType>
        <edXML:Subject>V/v tổ chức hội nghị tổng kết năm 2024</edXML:Subject>
        <edXML:Content>Thử gửi liên thông</edXML:Content>
        <edXML:SignerInfo>
\t\t<edXML:Competence>TM. ỦY BAN NHÂN DÂN</edXML:Competence>
          <edXML:Position>Chủ tịch</edXML:Position>
          <edXML:FullName>Trương Minh Tuấn</edXML:FullName>
        </edXML:SignerInfo>
\t\t<edXML:DueDate>2025/01/25</edXML:DueDate>
\t\t<edXML:ToPlaces>
\t\t<edXML:Place>Các sở, ban, ngành</edXML:Place>
\t\t</edXML:ToPlaces>
\t\t<edXML:OtherInfo>
\t\t<edXML:Priority>0</edXML:Priority>
\t\t<edXML:SphereOfPromulgation>Lưu hành nội bộ</edXML:SphereOfPromulgation>
\t\t<edXML:TyperNotation>TVC</edXML:TyperNotation>
\t\t<edXML:PromulgationAmount>10</edXML:PromulgationAmount>
\t\t<edXML:PageAmount>2</edXML:PageAmount>
\t\t<edXML:Appendixes>
\t\t<edXML:Appendix>Phụ lục</edXML:Appendix>
\t\t</edXML:Appendixes>
\t\t</edXML:OtherInfo>
\t\t<edXML:ResponseFor>
\t\t<edXML:OrganId></edXML:OrganId>
\t\t<edXML:Code></edXML:Code>
\t\t<edXML:PromulgationDate></edXML:PromulgationDate>
\t\t<edXML:DocumentId></edXML:DocumentId>
\t\t</edXML:ResponseFor>
        <edXML:SteeringType>1</edXML:SteeringType>
\t\t<edXML:DocumentId>9fbfbad2-f1f8-4256-a2eb-50fb1061cddb</edXML:DocumentId>
      </edXML:MessageHeader>
       <edXML:TraceHeaderList>
\t\t\t<edXML:TraceHeader>
\t\t\t\t<edXML:OrganId>{PROVINCE.organ_id}</edXML:OrganId>
\t\t\t\t<edXML:Timestamp>2025/01/17 16:35:56</edXML:Timestamp>
\t\t\t</edXML:TraceHeader>
\t\t</edXML:TraceHeaderList>
\t<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">
\t<SignedInfo>
\t\t<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315" />
\t\t<SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1" />
\t\t<Reference URI="">
\t\t\t<Transforms>
\t\t\t\t<Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature" />
\t\t\t</Transforms>
\t\t\t<DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1" />
\t\t\t<DigestValue>PrlYKdD8sksgnxFvUVtPIQ0pAqM=</DigestValue>
\t\t</Reference>
\t</SignedInfo>
\t<SignatureValue>ZHVtbXk=</SignatureValue>
\t<KeyInfo><X509Data><X509SubjectName/><X509Certificate>ZHVtbXk=</X509Certificate></X509Data></KeyInfo>
</Signature>
    </edXML:edXMLHeader>
    <edXML:edXMLBody>
      <edXML:edXMLManifest version="1.0">
        <edXML:Reference xlink:href="">
          <edXML:ContentId>cid:36b8a92e-f054-11e7-842b-005056b672fc</edXML:ContentId>
          <!--<edXML:ContentType>application/zip</edXML:ContentType>-->
          <edXML:AttachmentName>HUONG DAN.SIGNED.PDF</edXML:AttachmentName>
\t\t  <edXML:Description>Tài liệu hướng dẫn</edXML:Description>
        </edXML:Reference>
      </edXML:edXMLManifest>
    </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <edXML:AttachmentEncoded>
    <edXML:Attachment>
      <edXML:ContentId>cid:36b8a92e-f054-11e7-842b-005056b672fc</edXML:ContentId>
      <edXML:AttachmentName>HUONG DAN.SIGNED.PDF</edXML:AttachmentName>
      <edXML:ContentType>application/pdf</edXML:ContentType>
      <edXML:ContentTransferEncoded>{_PDF_PLAIN}</edXML:ContentTransferEncoded>
    </edXML:Attachment>
  </edXML:AttachmentEncoded>
</edXML>
"""

SIGNATURE_QCVN = f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{NS}">
  <edXML:edXMLEnvelope xmlns:edXML="{NS}">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From>
          <edXML:OrganId>{PROVINCE.organ_id}</edXML:OrganId>
          <edXML:OrganizationInCharge>UBND tỉnh Phú Thọ</edXML:OrganizationInCharge>
          <edXML:OrganName>UBND tỉnh Phú Thọ</edXML:OrganName>
          <edXML:OrganAdd>Số 1 đường Trần Phú, tỉnh Phú Thọ</edXML:OrganAdd>
          <edXML:Email>vanthu@phutho.gov.vn</edXML:Email>
          <edXML:Telephone>0210 3846 000</edXML:Telephone>
          <edXML:Fax>0210 3846 001</edXML:Fax>
          <edXML:Website>phutho.gov.vn</edXML:Website>
        </edXML:From>
        <edXML:To>
          <edXML:OrganId> {WARD.organ_id} </edXML:OrganId>
          <edXML:OrganizationInCharge> UBND tỉnh Phú Thọ</edXML:OrganizationInCharge>
          <edXML:OrganName>UBND phường Vĩnh Phúc</edXML:OrganName>
          <edXML:OrganAdd>Phường Vĩnh Phúc, tỉnh Phú Thọ</edXML:OrganAdd>
          <edXML:Email>vanthu.vinhphuc@phutho.gov.vn</edXML:Email>
          <edXML:Telephone>0211 3862 000</edXML:Telephone>
          <edXML:Fax></edXML:Fax>
          <edXML:Website></edXML:Website>
        </edXML:To>
        <edXML:DocumentId>{PROVINCE.organ_id},2025/02/10,45/UBND-TH</edXML:DocumentId>
        <edXML:Code>
          <edXML:CodeNumber>45</edXML:CodeNumber>
          <edXML:CodeNotation>UBND-TH</edXML:CodeNotation>
        </edXML:Code>
        <edXML:PromulgationInfo>
          <edXML:Place>Phú Thọ</edXML:Place>
          <edXML:PromulgationDate>2025/02/10</edXML:PromulgationDate>
        </edXML:PromulgationInfo>
        <edXML:DocumentType>
          <edXML:Type>1</edXML:Type>
          <edXML:TypeDetail>0</edXML:TypeDetail>
          <edXML:TypeName>Công văn</edXML:TypeName>
        </edXML:DocumentType>
        <edXML:Subject>V/v kết nối, liên thông phần mềm quản lý văn bản</edXML:Subject>
        <edXML:Content>V/v kết nối, liên thông phần mềm quản lý văn bản</edXML:Content>
        <edXML:SignerInfo>
          <edXML:Competence>TL. CHU TICH</edXML:Competence>
          <edXML:Position>Chanh Van phong</edXML:Position>
          <edXML:FullName>Pham Thi Hoa</edXML:FullName>
        </edXML:SignerInfo>
        <edXML:DueDate>2025/02/28</edXML:DueDate>
        <edXML:OtherInfo>
          <edXML:Priority>0</edXML:Priority>
          <edXML:SphereOfPromulgation>Liên thông văn bản quốc gia</edXML:SphereOfPromulgation>
          <edXML:TyperNotation>PTH</edXML:TyperNotation>
          <edXML:PromulgationAmount>2</edXML:PromulgationAmount>
          <edXML:PageAmount>22</edXML:PageAmount>
          <edXML:Direction>false</edXML:Direction>
          <edXML:Appendixes>
            <edXML:Appendix>Danh sách đơn vị kết nối</edXML:Appendix>
          </edXML:Appendixes>
        </edXML:OtherInfo>
        <edXML:SteeringType>1</edXML:SteeringType>
        <edXML:ToPlaces>
          <edXML:Place>Cac phuong, xa</edXML:Place>
          <edXML:Place>Luu: VT</edXML:Place>
        </edXML:ToPlaces>
      </edXML:MessageHeader>
      <edXML:TraceHeaderList>
        <edXML:TraceHeader>
          <edXML:OrganId>{PROVINCE.organ_id}</edXML:OrganId>
          <edXML:Timestamp>2025/02/10 00:00:00</edXML:Timestamp>
        </edXML:TraceHeader>
        <edXML:Bussiness>
          <edXML:DocumentId>{PROVINCE.organ_id},2025/02/10,45/UBND-TH</edXML:DocumentId>
          <edXML:BussinessDocType>0</edXML:BussinessDocType>
          <edXML:BussinessDocReason>Văn bản điện tử mới</edXML:BussinessDocReason>
          <edXML:Paper>0</edXML:Paper>
          <edXML:StaffInfo>
            <edXML:Department>Văn thư văn phòng</edXML:Department>
            <edXML:Staff>Trần Thị Bình</edXML:Staff>
            <edXML:Email>tranthibinh@phutho.gov.vn</edXML:Email>
            <edXML:Mobile>84912000001</edXML:Mobile>
          </edXML:StaffInfo>
        </edXML:Bussiness>
      </edXML:TraceHeaderList>
      <Signature>
        <SignedInfo>
          <CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315" />
          <SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1" />
          <Reference URI="">
            <Transforms>
              <Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature" />
              <Transform Algorithm="http://www.w3.org/TR/xml-exc-c14n#" />
            </Transforms>
            <DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1" />
            <DigestValue>FwgIqsSYJshUS2+wlOM61L+q7Aw=</DigestValue>
          </Reference>
        </SignedInfo>
        <SignatureValue>ZHVtbXk=</SignatureValue>
        <KeyInfo>
          <X509Data>
            <X509SubjectName>CN=user05</X509SubjectName>
            <X509Certificate>MIIFqTCCBJG</X509Certificate>
          </X509Data>
        </KeyInfo>
      </Signature>
    </edXML:edXMLHeader>
    <edXML:edXMLBody>
      <edXML:edXMLManifest version="1.0">
        <edXML:Reference>
          <edXML:ContentId>cid:209</edXML:ContentId>
          <edXML:ContentType>application/zip</edXML:ContentType>
          <edXML:Description>45_UBND-TH.doc</edXML:Description>
          <edXML:AttachmentName>45_UBND-TH.doc</edXML:AttachmentName>
        </edXML:Reference>
      </edXML:edXMLManifest>
    </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded>
    <Attachment>
      <ContentId>cid:209</ContentId>
      <AttachmentName>45_UBND-TH.doc</AttachmentName>
      <Description>45_UBND-TH.doc</Description>
      <ContentType>application/zip</ContentType>
      <edXML:ContentTransferEncoded xmlns:edXML="{NS}">{_DOC_ZIPPED}</edXML:ContentTransferEncoded>
    </Attachment>
  </AttachmentEncoded>
</edXML>
"""

STATUS_REORDERED = f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{NS}">
  <edXML:edXMLEnvelope xmlns:edXML="{NS}">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:Timestamp>2025/03/05 15:03:40</edXML:Timestamp>
        <edXML:StatusCode>03</edXML:StatusCode>
        <edXML:Description>Đã tiếp nhận, vào sổ văn bản đến số 1234</edXML:Description>
        <edXML:From>
          <edXML:OrganId>{WARD.organ_id}</edXML:OrganId>
          <edXML:OrganName>UBND phường Vĩnh Phúc</edXML:OrganName>
        </edXML:From>
        <edXML:StaffInfo>
          <edXML:Staff>Lê Văn Cường</edXML:Staff>
          <edXML:Mobile>0912000002</edXML:Mobile>
        </edXML:StaffInfo>
        <edXML:ResponseFor>
          <edXML:DocumentId>{DOCUMENT_ID}</edXML:DocumentId>
          <edXML:PromulgationDate>2025/03/04</edXML:PromulgationDate>
          <edXML:Code>15/QĐ-UBND</edXML:Code>
          <edXML:OrganId>{PROVINCE.organ_id}</edXML:OrganId>
        </edXML:ResponseFor>
      </edXML:MessageHeader>
      <Signature xmlns="http://www.w3.org/2000/09/xmldsig#">
        <SignedInfo/>
        <SignatureValue/>
      </Signature>
    </edXML:edXMLHeader>
  </edXML:edXMLEnvelope>
</edXML>
"""


def wild_files() -> dict[str, bytes]:
    return {
        "wild_sdk2025_minimal.edxml": SDK_2025.encode("utf-8"),
        "wild_handwritten_reordered.edxml": HANDWRITTEN.encode("utf-8"),
        "wild_signature_qcvn_ns.edxml": SIGNATURE_QCVN.encode("utf-8"),
        "wild_status_reordered.edxml": STATUS_REORDERED.encode("utf-8"),
        "wild_all_prefixed.edxml": _all_prefixed(build_message(new_document())),
        "wild_unprefixed.edxml": _unprefixed(build_message(update_document())),
    }


def main() -> None:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    files = {name: build_message(msg) for name, msg in emitted_samples().items()}
    files.update(wild_files())
    for name, data in sorted(files.items()):
        (GOLDEN_DIR / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
