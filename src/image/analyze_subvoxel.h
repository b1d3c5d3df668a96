/* analyze_subvoxel.h — what the sub-voxel endplate step (analyze_subvoxel.c)
 * shares with its whole-disc fit (analyze_disc_fit.c): one endplate's
 * samples in a band, its integral position, and the fit. Internal. */
#ifndef VT_IMAGE_ANALYZE_SUBVOXEL_H
#define VT_IMAGE_ANALYZE_SUBVOXEL_H

#define MAXW 32 /* samples in one endplate window */
/* a refined surface may lie this far (times the slice, plus 1 mm) from the
 * mask's: at 2.5 mm the mask of a box-averaged CT reads up to 2 mm long at an
 * end (partial-volume voxels beyond the endplate pass for bone) */
#define GATE_SLICES 1.0

/* One endplate seen in a band: the window of samples from pure disc to pure
 * bone (view slice k0 .. k0+n-1), the disc and bone levels beside it, and the
 * spread of the surface across the band (tilt). */
typedef struct {
  int top;   /* 1: a body's superior endplate (bone below, disc above) */
  int ok;
  long k0;
  int n;
  double v[MAXW];
  double D, T, w, guess; /* guess: the mask's surface (view mm) */
  double sp;             /* sample spacing (mm): the slice for an endplate, the in-plane voxel for a wall */
  /* across the disc to the neighbour's pure bone (jn 0: not found): view
   * slices jk0 .. jk0+jn-1, the neighbour's bone level T2, its surface's
   * first guess g2 and spread w2 */
  int jn;
  long jk0;
  double jv[MAXW], T2, g2, w2;
  int nplate; /* the neighbour's plate stands out of its bone (else it is modelled without one) */
} vt__sv_edge;

/* Surface position (view mm) of an endplate from the integral of its
 * window, for plate excess kap (analyze_subvoxel.c). */
double vt__sv_edge_int(const vt__sv_edge *e, double sz, double kap);

/* The whole-disc fit (analyze_disc_fit.c): the endplate's surface with the
 * disc's far surface, each with its plate (kap, t), and the disc at a level
 * with prior D0 of weight wpr (1e6: fixed). joint_grid returns the surface
 * and the misfit, far surface and fitted level; joint_fit the surface, with
 * the fit on the debug stream. */
double vt__sv_joint_grid(const vt__sv_edge *e, double sz, double kap, double t, double D0, double wpr, double *rr,
                         double *s2o, double *Dout);
double vt__sv_joint_fit(const vt__sv_edge *e, double sz, double kap, double t, double D0, double wpr, double *Dout);

#endif
