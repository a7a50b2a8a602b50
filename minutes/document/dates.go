package document

import (
	"fmt"
	"time"
)

// blankClock is printed where a time was not recorded, to be filled in by hand before signing.
const blankClock = "…… giờ …… phút"

// dayMonth pads the day below 10 and the months January and February with a zero, as
// Hướng dẫn 36-HD/VPTW and Nghị định 30/2020/NĐ-CP ask, so a date cannot be altered by hand.
func dayMonth(d time.Time) (string, string) {
	day := fmt.Sprintf("%d", d.Day())
	if d.Day() < 10 {
		day = "0" + day
	}
	month := fmt.Sprintf("%d", int(d.Month()))
	if d.Month() < time.March {
		month = "0" + month
	}
	return day, month
}

// longDate is "ngày 15 tháng 12 năm 2028"; the date's own calendar fields are used.
func longDate(d time.Time) string {
	if d.IsZero() {
		return "ngày …… tháng …… năm ……"
	}
	day, month := dayMonth(d)
	return fmt.Sprintf("ngày %s tháng %s năm %d", day, month, d.Year())
}

// dateLine is the place-and-date line under the national or Party title.
func dateLine(place string, d time.Time) string {
	if place == "" {
		place = "……"
	}
	return place + ", " + longDate(d)
}

// shortDate is "15/12/2028", used inside sentences.
func shortDate(d time.Time) string {
	if d.IsZero() {
		return "……/……/……"
	}
	return fmt.Sprintf("%02d/%02d/%d", d.Day(), int(d.Month()), d.Year())
}

// clock is "14 giờ 30 phút" in loc, or a blank to fill by hand.
func clock(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return blankClock
	}
	t = t.In(loc)
	return fmt.Sprintf("%d giờ %02d phút", t.Hour(), t.Minute())
}

// sameDay reports whether two instants fall on one calendar day in loc.
func sameDay(a, b time.Time, loc *time.Location) bool {
	if a.IsZero() || b.IsZero() {
		return false
	}
	ya, ma, da := a.In(loc).Date()
	yb, mb, db := b.In(loc).Date()
	return ya == yb && ma == mb && da == db
}

// localDate takes the calendar date of an instant in loc.
func localDate(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// dayBefore reports whether calendar date a comes before calendar date b, each read from its
// own year, month and day fields.
func dayBefore(a, b time.Time) bool {
	ya, ma, da := a.Date()
	yb, mb, db := b.Date()
	if ya != yb {
		return ya < yb
	}
	if ma != mb {
		return ma < mb
	}
	return da < db
}
