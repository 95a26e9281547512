// The C++ library of t1425-t1426: functions whose names have no length
// limit to speak of. Its qualified name alone is over 1,100 characters
// (eleven namespaces), and its parameter list names a class template
// instantiated with 60 types of a long name, so that the name demangled
// with its parameter list is over 4,000 characters, and mangled over
// 1,800 (libiberty demangles a name of over 1,024 only when told to:
// cxx_name.c).
#ifndef MEMO_TEST_TALL_H
#define MEMO_TEST_TALL_H

namespace tall {

template <int N> struct a_tag_whose_name_is_long_enough_to_matter {};
template <class... T> struct box {};

// tag<p0>, ..., tag<p9>
#define TALL_TAG(n) a_tag_whose_name_is_long_enough_to_matter<n>
#define TALL_TAGS10(p) TALL_TAG(p##0), TALL_TAG(p##1), TALL_TAG(p##2), TALL_TAG(p##3), \
	TALL_TAG(p##4), TALL_TAG(p##5), TALL_TAG(p##6), TALL_TAG(p##7), TALL_TAG(p##8), TALL_TAG(p##9)
// tag<10> ... tag<69>
typedef box<TALL_TAGS10(1), TALL_TAGS10(2), TALL_TAGS10(3), TALL_TAGS10(4), TALL_TAGS10(5),
	    TALL_TAGS10(6)> wide;

#define TALL_LEVEL(n) level_##n##_of_a_namespace_path_long_enough_that_the_function_name_alone_runs_past_a_thousand
#define TALL_PATH TALL_LEVEL(01)::TALL_LEVEL(02)::TALL_LEVEL(03)::TALL_LEVEL(04)::TALL_LEVEL(05)::\
	TALL_LEVEL(06)::TALL_LEVEL(07)::TALL_LEVEL(08)::TALL_LEVEL(09)::TALL_LEVEL(10)::TALL_LEVEL(11)

namespace TALL_LEVEL(01) { namespace TALL_LEVEL(02) { namespace TALL_LEVEL(03) {
namespace TALL_LEVEL(04) { namespace TALL_LEVEL(05) { namespace TALL_LEVEL(06) {
namespace TALL_LEVEL(07) { namespace TALL_LEVEL(08) { namespace TALL_LEVEL(09) {
namespace TALL_LEVEL(10) { namespace TALL_LEVEL(11) {
double energy(const wide &b, const double *x, unsigned long n);
// a name of over 1,100 characters that `memo init` can write a config for
double sum(const double *x, unsigned long n);
}}}}}}}}}}}

}

#endif
