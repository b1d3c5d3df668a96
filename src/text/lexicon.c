/* lexicon.c — the built-in spine finding lexicon: the 26 LIRE findings of Tan et
 * al. 2018 plus fracture types, bone density, Modic 2/3, cord, lesions and
 * surgery. SNOMED CT codes appear only where verified in
 * ../shared/data/terminology/spine_snomed.tsv (tests/unit/text/test_snomed.c
 * checks each against that file); every other finding is uncoded (NULL).
 * Plurals ending in "s" need not be listed: the matcher also tries a token
 * without its final "s". Hyphens in the text are skipped, so "post operative"
 * matches "post-operative". docs/findings.md is generated from this table by
 * scripts/gen-findings-doc.py. */
#include "text/lexicon.h"

static const vt__lex_entry LEX[] = {
    {"spondylolisthesis", "Spondylolisthesis (any grade; grade in listhesis_grade)", "274152003",
     "spondylolisthesis",
     "spondylolisthesis|spondylolistheses|anterolisthesis|anterolistheses|retrolisthesis|"
     "retrolistheses|listhesis|degenerative spondylolisthesis|isthmic spondylolisthesis|"
     "lateral listhesis|anterior subluxation|anterior slip|spondylolisthetic"},
    {"scoliosis", "Scoliosis", "298382003", "scoliosis",
     "scoliosis|scolioses|scoliotic|scoliotic curvature|scoliotic curve|dextroscoliosis|"
     "levoscoliosis|dextroconvex scoliosis|levoconvex scoliosis|rotoscoliosis|"
     "kyphoscoliosis|dextroconvex curvature|levoconvex curvature"},
    {"fracture", "Fracture (any vertebral fracture)", NULL, NULL,
     "fracture|fractured|fx|vertebral fracture|vertebral body fracture|chance fracture|"
     "transverse process fracture|spinous process fracture|fracture deformity"},
    {"compression_fracture", "Compression fracture", "42942008", "vertebral compression fracture",
     "compression fracture|vertebral compression fracture|compression deformity|"
     "compressive deformity|wedge|wedging|anterior wedging|wedge deformity|wedge fracture|"
     "wedge compression|wedge compression deformity|wedge compression fracture|"
     "insufficiency fracture|osteoporotic fracture|osteoporotic compression fracture|"
     "loss of vertebral body height|vertebral body height loss|vertebral height loss|"
     "loss of height of the vertebral body|vertebral body compression|vertebral collapse|"
     "vertebral body collapse|compression fractures|spinal compression fracture"},
    {"burst_fracture", "Burst fracture", NULL, NULL, "burst fracture|burst type fracture|burst fractures"},
    {"spondylosis", "Spondylosis", NULL, NULL,
     "spondylosis|spondyloses|spondylotic|spondylotic change|spondylotic changes|"
     "spondylotic ridging|degenerative spondylosis|lumbar spondylosis|cervical spondylosis|"
     "thoracic spondylosis|multilevel spondylosis|anterior spondylosis|end plate spondylosis|endplate spondylosis"},
    {"annular_fissure", "Annular fissure (tear)", NULL, NULL,
     "annular fissure|annular fissuring|annular tear|annulus tear|annular rent|"
     "annulus fibrosus tear|annular fibrosus tear|radial tear|radial fissure|"
     "high intensity zone|high signal intensity zone|hiz"},
    {"disc_bulge", "Disc bulge", NULL, NULL,
     "disc bulge|disk bulge|bulging disc|bulging disk|bulge|bulging|disc bulging|disk bulging|"
     "broad based bulge|broad based disc bulge|broad based disk bulge|diffuse disc bulge|"
     "diffuse disk bulge|annular bulge|annular bulging|circumferential bulge|"
     "circumferential disc bulge|bulging annulus"},
    {"disc_degeneration", "Disc degeneration", "77547008", "disc degeneration",
     "disc degeneration|disk degeneration|degenerative disc disease|degenerative disk disease|"
     "ddd|degenerated disc|degenerated disk|degenerative disc|degenerative disk|"
     "degenerative disc change|degenerative disc changes|degenerative disk changes|"
     "intervertebral disc degeneration|intervertebral disk degeneration|disc disease|"
     "disk disease|discogenic disease|disc degenerative changes|disk degenerative changes|"
     "degenerating disc|degenerating disk|disc generation|disk generation"},
    {"disc_desiccation", "Disc desiccation", NULL, NULL,
     "disc desiccation|disk desiccation|desiccated disc|desiccated disk|desiccation|desiccated|"
     "dessication|dessicated|disc dessication|disk dessication|loss of disc signal|"
     "loss of disk signal|decreased disc signal|decreased disk signal|disc signal loss|"
     "loss of normal disc signal|loss of t2 signal|loss of normal t2 signal|"
     "dehydrated disc|dehydrated disk|disc dehydration|disk dehydration"},
    {"disc_extrusion", "Disc extrusion (incl. sequestration)", NULL, NULL,
     "disc extrusion|disk extrusion|extruded disc|extruded disk|extrusion|extruded|"
     "extruded fragment|free fragment|sequestered fragment|sequestration|sequestered disc|"
     "sequestered disk|disc sequestration|disk sequestration|migrated fragment"},
    {"disc_height_loss", "Disc height loss", NULL, NULL,
     "loss of disc height|loss of disk height|disc height loss|disk height loss|"
     "decreased disc height|decreased disk height|reduced disc height|reduced disk height|"
     "diminished disc height|diminished disk height|disc space narrowing|disk space narrowing|"
     "narrowed disc space|narrowed disk space|narrowing of the disc space|"
     "narrowing of the disk space|disc space loss|disk space loss|loss of disc space height|"
     "loss of intervertebral disc height|loss of intervertebral disk height|"
     "disc space collapse|disk space collapse|collapsed disc|collapsed disk|disc collapse|"
     "disk collapse|intervertebral disc space narrowing|intervertebral disk space narrowing|"
     "narrowing of the intervertebral disc space|decreased disc space|decreased disk space|"
     "narrowed disc|narrowed disk|loss of disc space|loss of disk space|"
     "disc space height loss|decreased intervertebral disc height|narrow disc space|"
     "narrowing of disc space"},
    {"disc_herniation", "Disc herniation", "73589001", "disc herniation",
     "disc herniation|disk herniation|herniated disc|herniated disk|herniation|herniated|"
     "herniating|herniated nucleus pulposus|hnp|herniated intervertebral disc|"
     "herniated intervertebral disk|intervertebral disc herniation|"
     "intervertebral disk herniation|herniated discs|herniated disks|ruptured disc|"
     "ruptured disk|disc displacement|disk displacement|herniated disc protrusion|herniated disk protrusion|herniated disc extrusion|herniated disk extrusion"},
    {"disc_protrusion", "Disc protrusion", NULL, NULL,
     "disc protrusion|disk protrusion|protruding disc|protruding disk|protrusion|protruded|"
     "protruding|protruded disc|protruded disk|focal protrusion|broad based protrusion|"
     "broad based disc protrusion|broad based disk protrusion|focal disc protrusion|"
     "focal disk protrusion"},
    {"endplate_edema", "Endplate edema (Modic type 1)", NULL, NULL,
     "endplate edema|end plate edema|endplate oedema|end plate oedema|endplate marrow edema|"
     "endplate bone marrow edema|marrow edema of the endplate|modic type 1|modic type i|"
     "modic 1|modic i|type 1 modic|type i modic|modic type 1 change|modic type 1 changes|"
     "type 1 modic change|type 1 modic changes|type 1 endplate change|type 1 endplate changes|"
     "type i endplate change|type i endplate changes|type 1 degenerative endplate changes|"
     "modic type 1 endplate change|modic type 1 endplate changes|modic type i endplate changes|"
     "type i modic change|type i modic changes|edematous endplate|edematous endplates|endplate edema like signal"},
    {"modic_type_2", "Modic type 2 endplate change", NULL, NULL,
     "modic type 2|modic type ii|modic 2|modic ii|type 2 modic|type ii modic|"
     "type 2 modic change|type 2 modic changes|modic type 2 change|modic type 2 changes|"
     "type 2 endplate change|type 2 endplate changes|type ii endplate change|"
     "type ii endplate changes|type 2 degenerative endplate changes|fatty endplate|"
     "fatty endplate change|fatty endplate changes|endplate fatty change|"
     "endplate fatty changes|fatty marrow change|fatty marrow changes|"
     "fatty degenerative endplate changes|modic type 2 endplate change|modic type 2 endplate changes|"
     "modic type ii endplate changes|type ii modic change|type ii modic changes"},
    {"modic_type_3", "Modic type 3 endplate change", NULL, NULL,
     "modic type 3|modic type iii|modic 3|modic iii|type 3 modic|type iii modic|"
     "type 3 modic change|type 3 modic changes|modic type 3 change|modic type 3 changes|"
     "type 3 endplate change|type 3 endplate changes|type iii endplate change|"
     "type iii endplate changes|modic type 3 endplate change|modic type 3 endplate changes|"
     "modic type iii endplate changes|type iii modic change|type iii modic changes|endplate sclerosis|sclerotic endplate|sclerotic endplates"},
    {"anterior_osteophyte", "Anterior column osteophyte", NULL, NULL,
     "anterior osteophyte|anterior osteophytosis|anterior osteophytic|anterior spurring|"
     "anterior spur|anterior bridging osteophyte|anterior marginal osteophyte|"
     "anterior vertebral osteophyte|anterior vertebral body osteophyte|"
     "anterior osteophytic spurring|anterior osteophytic lipping|anterior lipping|"
     "anterior endplate osteophyte|anterior bony spur"},
    {"osteophyte", "Osteophyte (any)", NULL, NULL,
     "osteophyte|osteophytic|osteophytosis|osteophytic spurring|osteophytic change|"
     "osteophytic changes|osteophytic ridging|osteophytic lipping|spurring|spur|bone spur|"
     "bony spur|marginal osteophyte|endplate osteophyte|posterior osteophyte|"
     "disc osteophyte complex|disk osteophyte complex|uncovertebral osteophyte|"
     "uncovertebral spurring|uncovertebral hypertrophy|lipping|bony ridging|ridging|disk/osteophyte|disc/osteophyte|disk/osteophyte complex|disc/osteophyte complex|disk osteophyte|disc osteophyte|"
     "osteophyte formation|posterior osteophyte formation|osteophytic formation|spur formation"},
    {"stenosis", "Spinal stenosis (any / unspecified)", "76107001", "spinal stenosis",
     "stenosis|stenoses|stenotic|spinal stenosis|lumbar stenosis|cervical stenosis|"
     "thoracic stenosis|lumbar spinal stenosis|cervical spinal stenosis|multilevel stenosis|"
     "multilevel spinal stenosis|degenerative stenosis|small spinal canal|congenitally small spinal canal|congenitally narrow spinal canal|narrow spinal canal"},
    {"central_stenosis", "Central canal stenosis", NULL, NULL,
     "central stenosis|central canal stenosis|canal stenosis|central spinal stenosis|"
     "spinal canal stenosis|central spinal canal stenosis|central canal narrowing|"
     "canal narrowing|spinal canal narrowing|central narrowing|narrowing of the spinal canal|"
     "narrowing of the central canal|narrowing of the canal|narrowing of the central spinal canal|"
     "stenosis of the spinal canal|stenosis of the central canal|stenosis of the canal|"
     "narrowed canal|narrowed spinal canal|narrowed central canal|canal compromise|"
     "central canal compromise|spinal canal compromise|thecal sac narrowing|"
     "narrowing of the thecal sac|thecal sac compression|compression of the thecal sac|"
     "thecal sac effacement|effacement of the thecal sac|thecal sac impingement|"
     "impingement on the thecal sac|impression on the thecal sac|indentation of the thecal sac|"
     "central canal encroachment|canal encroachment|encroachment on the canal|"
     "encroachment on the spinal canal|stenosis of the central spinal canal"},
    {"foraminal_stenosis", "Foraminal stenosis", NULL, NULL,
     "foraminal stenosis|neural foraminal stenosis|neuroforaminal stenosis|"
     "foraminal narrowing|neural foraminal narrowing|neuroforaminal narrowing|"
     "foraminal encroachment|neural foraminal encroachment|neuroforaminal encroachment|"
     "foraminal compromise|neural foraminal compromise|neuroforaminal compromise|"
     "foraminal impingement|foraminal stenoses|exit foraminal narrowing|"
     "stenosis of the neural foramina|stenosis of the neural foramen|"
     "stenosis of the foramina|stenosis of the foramen|narrowing of the neural foramina|"
     "narrowing of the neural foramen|narrowing of the foramina|narrowing of the foramen|"
     "narrowed neural foramina|narrowed neural foramen|narrowed foramina|narrowed foramen|"
     "encroachment on the neural foramina|encroachment on the neural foramen|"
     "encroachment of the neural foramina|foraminal narrowings|foraminal encroachments"},
    {"lateral_recess_stenosis", "Lateral recess (subarticular) stenosis", NULL, NULL,
     "lateral recess stenosis|lateral recess narrowing|lateral recess encroachment|"
     "lateral recess compromise|subarticular stenosis|subarticular narrowing|"
     "subarticular recess stenosis|subarticular recess narrowing|subarticular zone narrowing|"
     "subarticular zone stenosis|narrowing of the lateral recess|narrowing of the lateral recesses|"
     "stenosis of the lateral recess|stenosis of the lateral recesses|"
     "narrowed lateral recess|narrowed lateral recesses|lateral recesses stenosis|"
     "lateral recesses narrowing"},
    {"facet_degeneration", "Facet degeneration (arthropathy, hypertrophy)", NULL, NULL,
     "facet arthropathy|facet joint arthropathy|facet hypertrophy|facet joint hypertrophy|"
     "facet degeneration|facet joint degeneration|degenerative facets|degenerative facet|"
     "degenerative facet disease|degenerative facet changes|degenerative facet joints|"
     "degenerative facet joint disease|degenerative facet joint changes|facet arthrosis|"
     "facet joint arthrosis|facet osteoarthritis|facet joint osteoarthritis|facet disease|"
     "facet joint disease|facet osteoarthropathy|facet degenerative changes|"
     "facet joint degenerative changes|facet degenerative change|hypertrophic facet|"
     "hypertrophic facets|hypertrophic facet joints|facet arthritis|facet joint arthritis|"
     "facet hypertrophic changes|facet hypertrophic change|facet joint effusion|"
     "facet effusion|facet arthropathies|facet syndrome|facetal arthropathy|facet sclerosis|facet changes|facet joint changes|facet joint sclerosis"},
    {"nerve_root_contact", "Nerve root contact", NULL, NULL,
     "nerve root contact|root contact|contacts the nerve root|contacting the nerve root|"
     "contact with the nerve root|contact of the nerve root|abuts the nerve root|"
     "abutting the nerve root|abutment of the nerve root|nerve root abutment|"
     "touches the nerve root|touching the nerve root"},
    {"nerve_root_compression", "Nerve root displaced or compressed", NULL, NULL,
     "nerve root compression|nerve root impingement|nerve root displacement|"
     "nerve root compromise|nerve root encroachment|nerve root deviation|root compression|"
     "root impingement|root displacement|compressed nerve root|impinged nerve root|"
     "displaced nerve root|compression of the nerve root|impingement of the nerve root|"
     "impingement on the nerve root|displacement of the nerve root|"
     "deviation of the nerve root|compromise of the nerve root|nerve root entrapment|"
     "entrapment of the nerve root|compresses the nerve root|displaces the nerve root|"
     "impinges on the nerve root|impinges the nerve root|radicular impingement|neural impingement|nerve impingement|radicular compression"},
    {"degeneration", "Degeneration (any)", NULL, NULL,
     "degeneration|degenerative changes|degenerative change|degenerative|degenerated|"
     "degenerative disease|degenerative arthritis|degenerative arthropathy|"
     "multilevel degenerative changes|degenerative process|wear and tear|uncovertebral joint arthrosis|uncovertebral arthrosis|apophyseal joint arthrosis|degenerative joint disease|"
     "joint disease|degenerative joint changes"},
    {"hemangioma", "Hemangioma", NULL, NULL,
     "hemangioma|haemangioma|hemangiomata|vertebral hemangioma|vertebral body hemangioma|"
     "intraosseous hemangioma"},
    {"spondylolysis", "Spondylolysis (pars defect)", NULL, NULL,
     "spondylolysis|spondylolyses|pars defect|pars defects|pars interarticularis defect|"
     "pars interarticularis defects|defect of the pars|defect in the pars|defects of the pars|"
     "defects in the pars|pars fracture|pars interarticularis fracture|pars break|"
     "spondylolytic|spondylolytic defect|isthmic defect|pars lysis|pars interarticularis lysis"},
    {"osteoporosis", "Osteoporosis", "64859006", "osteoporosis",
     "osteoporosis|osteoporotic|osteoporotic change|osteoporotic changes"},
    {"osteopenia", "Osteopenia", NULL, NULL,
     "osteopenia|osteopenic|demineralization|demineralized|demineralisation|"
     "decreased bone density|low bone density|reduced bone density|"
     "decreased bone mineral density|low bone mineral density|diffuse osteopenia|"
     "decreased bone mineralization|decreased mineralization"},
    {"schmorl_node", "Schmorl's node", NULL, NULL,
     "schmorl's node|schmorl node|schmorls node|schmorl|schmorl's|schmorls|"
     "intravertebral disc herniation|intraosseous disc herniation|intravertebral herniation|"
     "schmorl's nodes|schmorl nodes"},
    {"synovial_cyst", "Synovial (facet) cyst", NULL, NULL,
     "synovial cyst|facet cyst|facet synovial cyst|facet joint cyst|juxtafacet cyst|"
     "juxta facet cyst|facet joint synovial cyst|synovial cysts"},
    {"cord_compression", "Spinal cord compression", NULL, NULL,
     "cord compression|spinal cord compression|compression of the cord|"
     "compression of the spinal cord|cord impingement|spinal cord impingement|"
     "impingement of the cord|impingement on the cord|impingement of the spinal cord|"
     "impingement on the spinal cord|cord flattening|flattening of the cord|"
     "flattening of the spinal cord|cord deformity|deformity of the cord|cord effacement|"
     "mass effect on the cord|mass effect on the spinal cord|compresses the cord|"
     "compresses the spinal cord|flattens the cord|flattens the spinal cord|compressed cord|"
     "cord compromise|flattening of the ventral cord|ventral cord flattening|cord distortion|distortion of the cord|impression on the cord|indentation of the cord|"
     "spinal compression"},
    {"myelopathy", "Myelopathy (incl. cord signal change)", NULL, NULL,
     "myelopathy|myelopathic|myelomalacia|compressive myelopathy|cervical myelopathy|"
     "spondylotic myelopathy|cord edema|spinal cord edema|abnormal cord signal|"
     "increased cord signal|cord signal abnormality|cord signal change|cord signal changes|"
     "abnormal signal in the cord|abnormal signal within the cord|"
     "increased signal within the cord|increased signal in the cord|"
     "increased t2 signal within the cord|increased t2 signal in the cord"},
    {"cauda_equina_syndrome", "Cauda equina syndrome", NULL, NULL,
     "cauda equina syndrome|cauda equina syndromes"},
    {"lytic_lesion", "Lytic lesion", NULL, NULL,
     "lytic lesion|lytic|osteolytic|osteolytic lesion|lytic focus|lytic foci|"
     "lytic destruction|lytic process|osteolysis|lytic bone lesion|destructive osseous lesion|destructive lesion|destructive bone lesion"},
    {"blastic_lesion", "Blastic (sclerotic) lesion", NULL, NULL,
     "blastic lesion|blastic|osteoblastic|osteoblastic lesion|sclerotic lesion|"
     "sclerotic focus|sclerotic foci|sclerotic bone lesion|osteosclerotic|"
     "osteosclerotic lesion|blastic focus|blastic foci"},
    {"metastasis", "Metastasis", NULL, NULL,
     "metastasis|metastases|metastatic|metastatic disease|metastatic lesion|"
     "osseous metastasis|osseous metastases|bony metastasis|bony metastases|bone metastasis|"
     "bone metastases|metastatic deposit|mets|osseous metastatic disease|"
     "skeletal metastasis|skeletal metastases|spinal metastasis|spinal metastases|"
     "subarachnoid seeding|leptomeningeal seeding|csf seeding|drop metastasis|drop metastases|"
     "leptomeningeal metastasis|leptomeningeal metastases"},
    {"postoperative_change", "Post-operative change", NULL, NULL,
     "postoperative change|postoperative changes|post operative change|"
     "post operative changes|postsurgical change|postsurgical changes|post surgical change|"
     "post surgical changes|surgical change|surgical changes|postoperative|post operative|"
     "postsurgical|post surgical|laminectomy|laminectomies|laminectomy changes|"
     "hemilaminectomy|laminotomy|hemilaminotomy|discectomy|diskectomy|microdiscectomy|"
     "microdiskectomy|corpectomy|foraminotomy|laminoplasty|facetectomy|"
     "postoperative scar|epidural fibrosis|postoperative fibrosis|granulation tissue|laminectomy defect|hemilaminectomy defect"},
    {"hardware", "Hardware (screws, rods, cage, plate, instrumentation)", NULL, NULL,
     "hardware|pedicle screw|pedicle screws|screw|rod|interbody cage|cage|plate|"
     "anterior plate|anterior cervical plate|instrumentation|spinal instrumentation|"
     "fixation hardware|surgical hardware|orthopedic hardware|metallic hardware|"
     "interbody spacer|interbody device|spacer|fixation|posterior fixation|"
     "pedicle screw fixation|pedicle screw instrumentation|spinal hardware|"
     "fusion hardware|hardware loosening|artificial disc|disc replacement|"
     "disc arthroplasty"},
    {"fusion", "Fusion (arthrodesis)", NULL, NULL,
     "fusion|fused|arthrodesis|interbody fusion|posterior fusion|posterolateral fusion|"
     "anterior fusion|spinal fusion|solid fusion|fusion mass|bony fusion|osseous fusion|"
     "tlif|plif|alif|xlif|acdf|anterior cervical discectomy and fusion|"
     "anterior cervical diskectomy and fusion|posterior spinal fusion|"
     "transforaminal lumbar interbody fusion|posterior lumbar interbody fusion|"
     "anterior lumbar interbody fusion|bony bridging|osseous bridging|"
     "interbody arthrodesis|posterolateral arthrodesis|ankylosis|ankylosed"},
    /* Stop phrases: matched so that no finding is read inside them, never
     * reported ("pedicle screws in good postsurgical position"); fractures of
     * other bones ("no calvarial fracture") name no spinal finding. */
    {"_stop", "(not a finding)", NULL, NULL,
     "postsurgical position|post surgical position|postoperative position|"
     "post operative position|postoperative appearance|postsurgical appearance|"
     "calvarial fracture|skull fracture|rib fracture|facial fracture|nasal fracture|"
     "orbital fracture|mandible fracture|mandibular fracture|hip fracture|femur fracture|"
     "femoral fracture|femoral neck fracture|pelvic fracture|wrist fracture|ankle fracture|"
     "clavicle fracture|clavicular fracture|humerus fracture|humeral fracture|"
     "radius fracture|radial fracture|scaphoid fracture|tibial fracture|fibular fracture"},
};

const vt__lex_entry *vt__lexicon(size_t *n) {
  *n = sizeof LEX / sizeof LEX[0];
  return LEX;
}
