! A kernel in Fortran's convention, for issue 15's by-reference tests: every
! argument by reference, a CHARACTER argument (its length a hidden size_t
! after the others), a two-dimensional array with a leading dimension, and
! LAPACK's workspace query (lwork = -1 answers the size needed in work(1)).
!   r(i) = job 'S': tol * sum of row i of a(1:n, 1:m); 'M': tol * its largest
subroutine fkern(job, n, m, a, lda, tol, r, work, lwork, info)
  implicit none
  character, intent(in) :: job
  integer, intent(in) :: n, m, lda, lwork
  double precision, intent(in) :: a(lda, *), tol
  double precision, intent(out) :: r(*)
  double precision, intent(inout) :: work(*)
  integer, intent(out) :: info
  integer :: i, j

  call fkern_ran()
  info = 0
  if (lwork == -1) then
    work(1) = dble(n)
    return
  end if
  if (n < 0 .or. m < 0 .or. lda < max(1, n) .or. lwork < max(1, n)) then
    info = -1
    return
  end if
  do i = 1, n
    work(i) = a(i, 1)
    do j = 2, m
      if (job == 'M') then
        work(i) = max(work(i), a(i, j))
      else
        work(i) = work(i) + a(i, j)
      end if
    end do
    r(i) = tol * work(i)
  end do
end subroutine fkern
