#ifndef DF2NINJA_STEP_H
#define DF2NINJA_STEP_H

/*
 * run the step whose plan is at plan_path and write its stamp at out;
 * returns the exit status (messages already printed)
 */
int step_exec(const char *plan_path, const char *out, const char *depfile);
/* export the image (the export plan): returns the exit status */
int export_exec(const char *plan_path, const char *out);

#endif
