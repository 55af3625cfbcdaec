// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include "parse.h"
#include "test.h"

int main(void)
{
	uint64_t u;
	double d;

	CHECK(parse_u64("256", 1, 1024, &u) == 0 && u == 256);
	CHECK(parse_u64("0x100", 1, 1024, &u) == 0 && u == 256);
	CHECK(parse_u64("2048", 1, 1024, &u) == -ERANGE);
	CHECK(parse_u64("-1", 0, 10, &u) == -EINVAL);
	CHECK(parse_u64("12abc", 0, 100, &u) == -EINVAL);
	CHECK(parse_u64("", 0, 100, &u) == -EINVAL);
	CHECK(parse_u64(" 5", 0, 100, &u) == -EINVAL);
	CHECK(parse_u64("99999999999999999999999", 0, UINT64_MAX, &u) == -ERANGE);
	CHECK(parse_double("3.5", 0, 10, &d) == 0 && d == 3.5);
	CHECK(parse_double("nan", 0, 10, &d) == -EINVAL);
	CHECK(parse_double("11", 0, 10, &d) == -ERANGE);
	CHECK(parse_duration("5", &d) == 0 && d == 5);
	CHECK(parse_duration("500ms", &d) == 0 && d == 0.5);
	CHECK(parse_duration("2m", &d) == 0 && d == 120);
	CHECK(parse_duration("5h", &d) == -EINVAL);
	CHECK(parse_duration("-1", &d) == -ERANGE);
	TEST_DONE();
}
