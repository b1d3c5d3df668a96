#!/usr/bin/python3
"""make_seeds_io.py OUT_DIR — writes the tiny synthetic seed corpora of
fuzz_dicom (OUT_DIR/dicom/) and fuzz_nifti (OUT_DIR/nifti/) with pydicom and
nibabel. The test suite writes them into its build folder before the replays
(test fuzz_seeds_io); none is kept in git. OUT_DIR/dicom/ also gets
regress_item_length.dcm, the crash the first fuzz run found: the RLE seed
with its basic offset table's item length set far past the end of the file."""
import os, sys
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import (ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian,
                         DeflatedExplicitVRLittleEndian, RLELossless)
import nibabel as nib

if len(sys.argv) != 2:
    sys.exit("usage: make_seeds_io.py OUT_DIR")
dd, nd = os.path.join(sys.argv[1], "dicom"), os.path.join(sys.argv[1], "nifti")
os.makedirs(dd, exist_ok=True); os.makedirs(nd, exist_ok=True)

def image(ts, bits=16, signed=1, frames=1, spp=1):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ts
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.3.4.5"
    ds.Modality = "CT"; ds.SeriesInstanceUID = "1.2.3"; ds.SOPInstanceUID = "1.2.3.4.5"
    ds.ImagePositionPatient = [0, 0, 0]; ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [0.5, 0.5]; ds.RescaleSlope = 1; ds.RescaleIntercept = -1024
    ds.Rows = 4; ds.Columns = 3; ds.SamplesPerPixel = spp
    ds.PhotometricInterpretation = "MONOCHROME2" if spp == 1 else "RGB"
    if spp == 3: ds.PlanarConfiguration = 0
    ds.BitsAllocated = bits; ds.BitsStored = bits; ds.HighBit = bits - 1; ds.PixelRepresentation = signed
    if frames > 1: ds.NumberOfFrames = frames
    seq = Dataset(); seq.CodeValue = "1"; inner = Dataset(); inner.CodeMeaning = "x"
    seq.ConceptCodeSequence = Sequence([inner]); ds.ProcedureCodeSequence = Sequence([seq])
    dt = {8: np.uint8, 16: np.int16 if signed else np.uint16}[bits]
    arr = (np.arange(4 * 3 * spp * frames) * 7 % 200).astype(dt)
    ds.PixelData = arr.tobytes()
    ds.is_little_endian = ts != ExplicitVRBigEndian
    ds.is_implicit_VR = ts == ImplicitVRLittleEndian
    return ds, arr.reshape((frames, 4, 3, spp)) if spp == 3 else arr

for name, ts in [("explicit_le", ExplicitVRLittleEndian), ("implicit_le", ImplicitVRLittleEndian),
                 ("explicit_be", ExplicitVRBigEndian), ("deflated", DeflatedExplicitVRLittleEndian)]:
    ds, arr = image(ts)
    if ts == ExplicitVRBigEndian:
        ds.PixelData = arr.astype(">i2").tobytes()
    ds.save_as(os.path.join(dd, name + ".dcm"), write_like_original=False)
ds, _ = image(ExplicitVRLittleEndian, bits=8, signed=0, frames=2)
ds.save_as(os.path.join(dd, "multiframe_u8.dcm"), write_like_original=False)
ds, arr = image(ExplicitVRLittleEndian, bits=16, signed=0)
ds.compress(RLELossless, arr.reshape(4, 3))
ds.save_as(os.path.join(dd, "rle.dcm"), write_like_original=False)
# JPEG lossless SV1 and JPEG-LS seeds are 12x8 codestreams that a fuzz run grows
# from the others; keep the corpus generator dependency-free beyond pydicom.

# the regression: the first item after (7FE0,0010) is the basic offset table;
# its 4-byte length becomes 0x00070004, far past the end of the file
raw = bytearray(open(os.path.join(dd, "rle.dcm"), "rb").read())
item = raw.index(b"\xfe\xff\x00\xe0", raw.index(b"\xe0\x7f\x10\x00"))
raw[item + 4:item + 8] = (0x00070004).to_bytes(4, "little")
open(os.path.join(dd, "regress_item_length.dcm"), "wb").write(bytes(raw))
aff = np.array([[-0.8, 0, 0, 10], [0, 0.8, 0, -5], [0, 0, 2.5, 3], [0, 0, 0, 1]])
for dt in (np.int16, np.uint8, np.float32, np.float64):
    img = nib.Nifti1Image((np.arange(24).reshape(2, 3, 4) - 5).astype(dt), aff)
    img.header.set_qform(aff, 1)
    nib.save(img, os.path.join(nd, "n1_%s.nii" % np.dtype(dt).name))
img = nib.Nifti2Image(np.arange(24, dtype=np.int32).reshape(2, 3, 4), aff)
nib.save(img, os.path.join(nd, "n2_int32.nii"))
img = nib.Nifti1Image(np.arange(6, dtype=np.int16).reshape(3, 2, 1), None)
img.header.set_slope_inter(2.0, -1.0)
nib.save(img, os.path.join(nd, "n1_scaled_noxform.nii"))
print("seeds written")
