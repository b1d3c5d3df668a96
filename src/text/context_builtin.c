/* context_builtin.c — Vertebra's curated ConText lexicon for radiology and spine
 * reports, compiled into every engine (the product never reads rule files at
 * run time unless the user loads some).
 *
 * Sources: the phrases follow the public NegEx lexicon (Chapman et al. 2001;
 * negex_triggers.txt), the genConText history/hypothetical/experiencer triggers
 * (Harkema et al. 2009) and medspaCy's en_context_rules.json, pruned and
 * extended for imaging language ("not seen", "cannot be excluded", "status
 * post", "chronic"). Choices are explained in docs/text-context.md. */
#include <stdio.h>
#include <string.h>

#include "text/context_rules.h"

#define ALL_AXES (-1)

typedef struct group {
  int cat;        /* a category, or ALL_AXES for a terminator of every axis */
  int dir;
  unsigned scope; /* words; 0 = the category default */
  const char *phrases; /* '|'-separated */
} group;

enum { S = VT_CTX_MAX_SCOPE }; /* "the sentence": section-style cues */

static const group groups[] = {
    /* ---- negated existence ---- */
    {VT_CTX_NEGATED, VT_CTX_FORWARD, 0,
     "no|not|without|denies|denied|deny|denying|negative for|neg for|absence of|absent|"
     "free of|clear of|lack of|lacks|lacking|never|never had|never developed|neither|nor|"
     "cannot|cannot see|can not see|fails to reveal|failed to reveal|fails to demonstrate|"
     "failed to demonstrate|did not|does not|do not|is not|are not|was not|were not|"
     "has not|have not|had not|no evidence of|no evidence for|no evidence|without evidence of|"
     "without any evidence of|no sign of|no signs of|no findings of|no findings to suggest|"
     "no suggestion of|no other|no new|no known|none|no longer|-ve for|-ve|is -ve for|"
     "no findings suggesting|no findings suggestive of|no evidence to suggest|"
     "no findings to indicate|not consistent with|inconsistent with|not suggestive of|"
     "no ct evidence of|no mri evidence of|no mr evidence of|no radiographic evidence of|"
     "no imaging evidence of|no definite evidence of|no convincing evidence of|"
     "low suspicion for|low suspicion of|low likelihood of|low probability of|"
     "not compatible with|unremarkable for|ruled out|ruled out for|"
     "rules out|patient was not|not associated with|not known to have|to exclude|"
     "excluding|exclusion of|resolution of|resolved|interval resolution of"},
    {VT_CTX_NEGATED, VT_CTX_BACKWARD, 4,
     "not seen|is not seen|are not seen|was not seen|were not seen|not identified|"
     "not visualized|not visualised|not demonstrated|not present|is not present|"
     "are not present|not evident|are not evident|not appreciated|not detected|not noted|"
     "not found|is absent|are absent|absent|is excluded|are excluded|was excluded|excluded|"
     "was ruled out|is ruled out|are ruled out|has been ruled out|have been ruled out|"
     "has resolved|have resolved|resolved|no longer seen|no longer present|no longer|"
     "is negative|are negative|was negative|were negative|unlikely|"
     "none|: none|now resolved"},
    {VT_CTX_NEGATED, VT_CTX_BACKWARD, 1, "free|-free"},
    /* pseudo-triggers: contain a negation word but negate nothing */
    {VT_CTX_NEGATED, VT_CTX_PSEUDO, 0,
     "no increase|no change|no significant change|no interval change|no definite change|"
     "no suspicious change|no significant interval change|not obtainable|not available|"
     "not performed|not obtained|not possible|"
     "not extend|not cause|not drain|not certain if|not certain whether|not necessarily|"
     "not only|not limited to|gram negative|without difficulty|without contrast|"
     "with and without contrast|with and without intravenous contrast|"
     "without intravenous contrast|without iv contrast|without complication|"
     "without complications|without incident|no change in|not changed|has not changed|"
     "have not changed|not significantly changed|without change|without interval change|"
     "not well seen|not well visualized|not well evaluated|not assessed|not evaluated|"
     "not imaged|not included|not fully|no longer than|whether or not|"
     "not rule out|did not rule out|cannot rule out|cannot exclude|cannot be excluded|"
     "can not be excluded|not excluded|not be excluded|not been excluded|not ruled out|"
     "not been ruled out|not entirely excluded|negative predictive"},
    /* ---- possible existence (uncertainty) ---- */
    {VT_CTX_POSSIBLE, VT_CTX_FORWARD, 0,
     "possible|possibly|probable|probably|likely|most likely|more likely|less likely|"
     "may be|may represent|might be|might represent|could be|could represent|"
     "questionable|question of|questioned|suspicious for|suspected|suspect|suspicion of|"
     "suspicion for|suggestive of|suggests|suggesting|suggestion of|concerning for|"
     "concern for|worrisome for|worrisome|worried about|cannot exclude|can not exclude|"
     "cannot rule out|can not rule out|not rule out|did not rule out|rule out|rule out for|"
     "r/o|to rule out|rule him out|rule her out|rule the patient out|be ruled out for|"
     "equivocal|indeterminate|uncertain|presumed|presumably|perhaps|favor|favored|"
     "differential diagnosis includes|differential diagnosis of|differential includes|"
     "differential diagnosis included|differential diagnosis include|differential included|"
     "differential diagnoses include|differential diagnoses included|"
     "raises the possibility of|raising the possibility of|the possibility of|"
     "possibility of|may have|versus|vs|vs.|or possibly|"
     "what must be ruled out is|whether|unclear whether|uncertain whether|unclear if"},
    /* a modal hedges the verb right after it ("may mildly indent the cord
     * contour", "there may also be some narrowing"); short scope, so "may"
     * in a plan does not reach a finding far away */
    {VT_CTX_POSSIBLE, VT_CTX_FORWARD, 4, "may|might"},
    {VT_CTX_POSSIBLE, VT_CTX_BACKWARD, 4,
     "cannot be excluded|can not be excluded|not excluded|not be excluded|"
     "not been excluded|not entirely excluded|not ruled out|not been ruled out|"
     "being ruled out|be ruled out|should be ruled out|may be ruled out|is to be ruled out|"
     "is possible|is likely|is suspected|are suspected|is questioned|versus|vs|vs.|"
     "not excluded by|could not be excluded|cannot be ruled out|can not be ruled out"},
    /* scope terminators of the certainty axis (NegEx [CONJ]) */
    {VT_CTX_NEGATED, VT_CTX_TERMINATE, 0,
     "secondary to|due to|trigger event for|other possibilities of|;|still|"
     "there is|there are|there has been|is seen|are seen|is noted|are noted|is present|"
     "are present|is identified|are identified|demonstrates|shows|reveals|positive for|"
     "the patient|he is|she is|he has|she has|he was|she was|:"},

    /* ---- historical ---- */
    {VT_CTX_HISTORICAL, VT_CTX_FORWARD, 0,
     "history of|hx of|h/o|past history of|prior history of|personal history of|"
     "long history of|long-standing history of|longstanding history of|"
     "extensive history of|known history of|remote history of|significant history of|"
     "previous history of|history significant for|history is significant for|"
     "history positive for|history is positive for|history notable for|"
     "sequela of|sequelae of|known|is known to have|known to have|the known|"
     "former|formerly|in the past|past usage of|previous diagnosis of|prior diagnosis of"},
    /* adjectives and "status post" date the few words right after them; "status
     * post laminectomy" is historical for the laminectomy, not for what follows */
    {VT_CTX_HISTORICAL, VT_CTX_FORWARD, 3,
     "status post|s/p|status-post|prior|previous|previously|previously noted|old|remote|"
     "chronic|chronically|long-standing|longstanding|healed"},
    /* history-style section cues inside a sentence govern the whole sentence */
    {VT_CTX_HISTORICAL, VT_CTX_FORWARD, S,
     "past medical history|past medical history of|past medical history:|medical history|"
     "medical history:|past history|past history:|pmh|pmh:|pmhx|past surgical history|"
     "surgical history|psh|social history|social history:|family history|family history of|"
     "fh|fhx|family hx|allergies:|allergy:|allergies include|drug allergies:|"
     "menstrual history|menstrual history:|obstetric history|obstetric history:|"
     "psychiatric history|psychiatric history:|medication history:"},
    /* a list of the patient's standing problems ("multiple medical problems
     * including ...") is a history list, like "past medical history:" */
    {VT_CTX_HISTORICAL, VT_CTX_FORWARD, S,
     "medical problems including|medical problems include|medical problems of|"
     "medical problems such as|medical issues including|medical issues include|"
     "comorbidities include|comorbidities including|comorbidities of|"
     "comorbid conditions include|comorbid conditions including"},
    /* habitual aspect: "is admitted quite frequently for abdominal pain" */
    {VT_CTX_HISTORICAL, VT_CTX_FORWARD, 12,
     "frequently for|often for|repeatedly for|recurrently for|frequently with|"
     "repeatedly with"},
    /* Subjects that are history items by definition (ConText, Harkema et al.
     * 2009: social history and allergies belong to the patient's history):
     * inside the target itself they make it historical. */
    {VT_CTX_HISTORICAL, VT_CTX_SUBJECT, 0,
     "alcohol|alcohol use|alcohol abuse|etoh|tobacco|tobacco use|smoking|smokes|smoker|"
     "smoked|cigarette|cigarettes|cigars|drug use|drugs|illicit drugs|illicit drug use|"
     "substance use|substance abuse|intravenous drug use|ivdu|allergies|allergy|"
     "history"},
    {VT_CTX_HISTORICAL, VT_CTX_BACKWARD, 6, "the last time|last time"},
    {VT_CTX_HISTORICAL, VT_CTX_BACKWARD, 3,
     "in the past|years ago|year ago|months ago|in the remote past|history|"
     "in childhood|as a child"},
    {VT_CTX_HISTORICAL, VT_CTX_PSEUDO, 0,
     "history and physical|history, physical|history taking|poor history|"
     "history and examination|history of chief complaint|history of present illness|"
     "history of the present illness|hpi|clinical history|history:|patient history|"
     "day history of|days history of|day history|hour history of|hours history of|"
     "week history of|weeks history of|week history|history from|detailed history|"
     "prior to|post-op|postop|postoperative|post-operative|"
     "post operative|postsurgical|post-surgical|post surgical|post-contrast|"
     "post contrast|postcontrast|post-traumatic|prior study|prior studies|prior exam|"
     "prior examination|prior imaging|previous study|previous studies|previous exam|"
     "previous examination|previous imaging|prior mri|prior ct|previous mri|previous ct|"
     "compared to prior|comparison to prior|known to us|well known|on history|year-old|"
     "year old|years old|month-old|months old|week-old|day-old|"
     "history of present illness/hospital course"},
    /* what happens now ends the scope of a history cue (genConText [CONJ]) */
    {VT_CTX_HISTORICAL, VT_CTX_TERMINATE, 0,
     "presents|presented|presenting|presents with|presented with|presenting with|"
     "complains|complained|complaining|coming in with|comes in with|came in with|"
     "was found|states|stated|reports|reported|currently|today|now|noted|new|acute|"
     "recent|recently|sudden onset of|admitted|admission|consistent with|who is|who was|"
     "current|currently has|developed|develops|, with|;|physical exam|"
     "physical examination|exam:|examination:|review of systems|impression:|findings:|"
     "assessment:|plan:|hospital course|chief complaint|reason for admission"},

    /* ---- hypothetical ---- */
    {VT_CTX_HYPOTHETICAL, VT_CTX_FORWARD, 0,
     "if|in case|in case of|in the event of|should he|should she|should there|"
     "should the|should the patient|should you|should they|as needed|prn|call|call for|"
     "call if|will call|to call|return|return to|return if|returns if|to return|"
     "come back for|come back to|come back if|look out for|watch for|monitor for|"
     "instructed to|advised to|alert|notify|seek medical attention|as if|"
     "to evaluate|evaluate for|evaluation for|to assess for|assess for|risk of|risks of|"
     "at risk for|to prevent|prevention of|in order to prevent|for prevention of|"
     "to exclude the possibility of|screen for|screening for"},
    {VT_CTX_HYPOTHETICAL, VT_CTX_BACKWARD, 4, "prophylaxis|as needed|prn"},
    {VT_CTX_HYPOTHETICAL, VT_CTX_PSEUDO, 0,
     "if negative|know if|by his wife|by her husband|returned|returns|returning to work|"
     "returned to work|return to work|return of|call back|alert and|alert,|awake and alert|"
     "alert and oriented"},
    {VT_CTX_HYPOTHETICAL, VT_CTX_TERMINATE, 0,
     "because|since|otherwise|who is|who was|who has|who had|presents|presented"},

    /* ---- experiencer ---- */
    {VT_CTX_FAMILY, VT_CTX_FORWARD, 0,
     "mother|father|mom|dad|parent|parents|sister|sisters|brother|brothers|sibling|"
     "siblings|aunt|aunts|uncle|uncles|grandmother|grandfather|grandparent|grandparents|"
     "cousin|cousins|son|sons|daughter|daughters|niece|nephew|"
     "mother's|father's|mom's|dad's|sister's|brother's|aunt's|uncle's|grandmother's|"
     "grandfather's|son's|daughter's|maternal|paternal"},
    {VT_CTX_FAMILY, VT_CTX_FORWARD, S,
     "family history|family history of|family history:|family hx|fh|fhx|fh:|"
     "family history is positive for|family history significant for"},
    {VT_CTX_FAMILY, VT_CTX_BACKWARD, 3,
     "in his mother|in her mother|in his father|in her father|in a sibling|"
     "in his brother|in her brother|in his sister|in her sister|in the family|"
     "runs in the family|(father|(mother|(sister|(brother"},
    {VT_CTX_FAMILY, VT_CTX_PSEUDO, 0,
     "by his wife|by her husband|by his mother|by her mother|by his father|by her father|"
     "with his wife|with her husband|with his mother|with her mother|family history:none|"
     "family history negative|family history is negative|family history is noncontributory|"
     "family history noncontributory|family history unremarkable|family member|"
     "family members|mother tongue|son-in-law"},
    {VT_CTX_OTHER, VT_CTX_FORWARD, 0,
     "friend|friends|roommate|roommate's|coworker|co-worker|coworkers|co-workers|"
     "neighbor|neighbour|friend's|caregiver's|other patients|another patient"},
    {VT_CTX_FAMILY, VT_CTX_TERMINATE, 0,
     "patient|patient's|pt|the patient|who|presents|presented|reports|states|noted|"
     "currently|today|he has|she has|he is|she is|himself|herself|personal|personally"},

    /* ---- scope terminators of every axis ---- */
    {ALL_AXES, VT_CTX_TERMINATE, 0,
     "but|however|nevertheless|nonetheless|yet|though|although|whereas|except|"
     "except for|aside from|apart from|other than|which|that is|instead|rather|"
     "on the other hand|in contrast"},
};

/* "brought in by his wife", "with her mother": the relative is a companion or
 * informant, not who has the condition (genConText's "by his wife" pseudo
 * triggers, generalised to every relative and companion word). */
static vt_status add_companion_pseudos(vt__context *ctx) {
  static const char *const pre[] = {"by his", "by her", "by their", "by the patient's",
                                    "with his", "with her", "accompanied by his",
                                    "accompanied by her", NULL};
  static const char *const who[] = {
      "mother", "father", "mom", "dad", "parents", "sister", "brother", "son", "daughter",
      "wife", "husband", "spouse", "partner", "family", "friend", "friends", "roommate",
      "coworker", "coworkers", "co-worker", "co-workers", "neighbor", "caregiver",
      "grandmother", "grandfather", "aunt", "uncle", "niece", "nephew", "girlfriend",
      "boyfriend", NULL};
  char buf[96];
  for (int p = 0; pre[p]; p++)
    for (int w = 0; who[w]; w++) {
      int len = snprintf(buf, sizeof buf, "%s %s", pre[p], who[w]);
      vt_status st = vt__ctx_add(ctx, buf, (size_t)len, VT_CTX_FAMILY, VT_CTX_PSEUDO, 0);
      if (st) return st;
    }
  return VT_OK;
}

/* "X is not identified": the forward trigger "is not" is the longest phrase at
 * "is", so it would hide the backward "not identified" inside it. The copula
 * forms of the backward participles are therefore rules of their own. */
static vt_status add_copula_negations(vt__context *ctx) {
  static const char *const cop[] = {"is not", "are not", "was not", "were not",
                                    "has not been", "have not been", "had not been", NULL};
  static const char *const part[] = {"seen", "identified", "visualized", "visualised",
                                     "demonstrated", "present", "evident", "appreciated",
                                     "detected", "noted", "found", "observed", "depicted",
                                     NULL};
  char buf[96];
  for (int c = 0; cop[c]; c++)
    for (int p = 0; part[p]; p++) {
      int len = snprintf(buf, sizeof buf, "%s %s", cop[c], part[p]);
      vt_status st = vt__ctx_add(ctx, buf, (size_t)len, VT_CTX_NEGATED, VT_CTX_BACKWARD, 4);
      if (st) return st;
    }
  return VT_OK;
}

/* NegEx's "as the secondary cause of" family, generated rather than listed. */
static vt_status add_cause_terminators(vt__context *ctx) {
  static const char *const arts[] = {"as the", "as a", "as an", NULL};
  static const char *const sec[] = {"", " secondary", NULL};
  static const char *const nouns[] = {"cause", "causes", "source", "sources", "reason",
                                      "reasons", "etiology", "origin", "origins", NULL};
  static const char *const preps[] = {"of", "for", NULL};
  char buf[96];
  for (int n = 0; nouns[n]; n++)
    for (int p = 0; preps[p]; p++) {
      int len = snprintf(buf, sizeof buf, "%s %s", nouns[n], preps[p]);
      vt_status st = vt__ctx_add(ctx, buf, (size_t)len, VT_CTX_NEGATED, VT_CTX_TERMINATE, 0);
      if (st) return st;
      for (int a = 0; arts[a]; a++)
        for (int s = 0; sec[s]; s++) {
          len = snprintf(buf, sizeof buf, "%s%s %s %s", arts[a], sec[s], nouns[n], preps[p]);
          st = vt__ctx_add(ctx, buf, (size_t)len, VT_CTX_NEGATED, VT_CTX_TERMINATE, 0);
          if (st) return st;
        }
    }
  return VT_OK;
}

static vt_status add_list(vt__context *ctx, int cat, int dir, unsigned scope, const char *list) {
  const char *p = list;
  while (*p) {
    const char *bar = strchr(p, '|');
    size_t n = bar ? (size_t)(bar - p) : strlen(p);
    vt_status st = vt__ctx_add(ctx, p, n, cat, dir, scope);
    if (st) return st;
    p += n;
    if (*p == '|') p++;
  }
  return VT_OK;
}

vt_status vt__ctx_add_builtin(vt__context *ctx) {
  /* One representative category per axis for terminators of every axis. */
  static const int axis_cats[] = {VT_CTX_NEGATED, VT_CTX_HISTORICAL, VT_CTX_HYPOTHETICAL,
                                  VT_CTX_FAMILY};
  for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
    const group *gr = &groups[g];
    if (gr->cat == ALL_AXES) {
      for (size_t a = 0; a < sizeof axis_cats / sizeof *axis_cats; a++) {
        vt_status st = add_list(ctx, axis_cats[a], gr->dir, gr->scope, gr->phrases);
        if (st) return st;
      }
      continue;
    }
    vt_status st = add_list(ctx, gr->cat, gr->dir, gr->scope, gr->phrases);
    if (st) return st;
  }
  vt_status st = add_cause_terminators(ctx);
  if (!st) st = add_copula_negations(ctx);
  return st ? st : add_companion_pseudos(ctx);
}
